using Middleware.Tickets;
using Xunit;

namespace Middleware.Tickets.Tests;

public sealed class TicketsOptionsValidatorTests
{
    [Fact]
    public void The_defaults_and_a_floor_for_a_point_of_sale_pass()
    {
        var options = new TicketsOptions { NumberingFloors = { ["5-1-9-8-14"] = new NumberingFloor { LastIdTicketEntete = 41 } } };

        Assert.True(new TicketsOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Each_bad_value_is_named_with_its_setting_all_at_once()
    {
        var options = new TicketsOptions
        {
            BatchSize = 0,
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.FromSeconds(-1),
            BackoffJitter = 2,
            DefaultTimeZone = "Europe/Lyon",
            NumberingFloors = { ["caisse-14"] = new NumberingFloor() },
        };

        var failures = new TicketsOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "Tickets:BatchSize: '0' must be at least 1.",
            "Tickets:InitialBackoff: '00:00:00' must be positive.",
            "Tickets:MaxBackoff: '-00:00:01' must be at least Tickets:InitialBackoff (00:00:00).",
            "Tickets:BackoffJitter: '2' must be from 0 to 1.",
            "Tickets:DefaultTimeZone: 'Europe/Lyon' is not a time zone of this system (an IANA name such as Europe/Paris).",
            "Tickets:NumberingFloors:caisse-14: the key is not a point of sale id (idCrous-idUg-idRu-idUd-idCaisse, e.g. 5-1-9-8-14).",
        ], failures);
    }
}
