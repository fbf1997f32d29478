using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Tetra.Tests.Simulator;

public sealed class TetraBehaviourTests
{
    [Fact]
    public void The_default_behaviour_is_valid() => new TetraBehaviour().Validate();

    [Theory]
    [InlineData("sam")]
    [InlineData("application")]
    [InlineData("idSupport")]
    [InlineData("idSupportLong")]
    [InlineData("slow")]
    [InlineData("report")]
    public void A_behaviour_the_terminal_could_not_answer_is_refused(string fault)
    {
        var behaviour = fault switch
        {
            "sam" => new TetraBehaviour { SamId = "0123456789abcdef" },
            "application" => new TetraBehaviour { NumeroApplicatif = "04A1B2C3D4E5F" },
            "idSupport" => new TetraBehaviour { IdSupport = "36-000001" },
            "idSupportLong" => new TetraBehaviour { IdSupport = "1234567890123456" },
            "slow" => new TetraBehaviour { SlowDelay = TimeSpan.FromSeconds(-1) },
            _ => new TetraBehaviour { PaymentReport = "CB\u0002" },
        };

        Assert.Throws<ArgumentException>(behaviour.Validate);
    }
}
