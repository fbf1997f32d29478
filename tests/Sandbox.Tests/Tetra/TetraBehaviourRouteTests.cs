using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Middleware.VirtualTerminals.Tetra;

namespace Middleware.Sandbox.Tests.Tetra;

/// <summary><c>/_sandbox/tetra/behaviour</c> switches the simulated Tetra the sandbox was given (here the PCL bridge
/// one, which needs no socat).</summary>
public sealed class TetraBehaviourRouteTests
{
    [Fact]
    public async Task A_post_switches_the_fields_it_names_and_keeps_the_others()
    {
        await using var tetra = TetraBridgeSimulator.Start();
        await using var h = await SandboxHarness.StartAsync(o => o.Tetra = tetra);

        using var post = await h.Http.PostAsJsonAsync("_sandbox/tetra/behaviour", new { card = "cardabsent", line = "Slow", slowDelayMs = 1500 });

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(new TetraBehaviour { Card = TetraCardBehaviour.CardAbsent, Line = TetraLineBehaviour.Slow, SlowDelay = TimeSpan.FromMilliseconds(1500) }, tetra.Behaviour);
        var shown = await h.Http.GetFromJsonAsync<JsonElement>("_sandbox/tetra/behaviour");
        Assert.Equal(("CardAbsent", "Accepted", "Slow", 1500), (shown.GetProperty("card").GetString(), shown.GetProperty("payment").GetString(), shown.GetProperty("line").GetString(), shown.GetProperty("slowDelayMs").GetInt32()));
    }

    [Theory]
    [InlineData("""{ "card": "Lost" }""", "card must be one of CardPresent, CardAbsent, NotIzlyCard, SamError")]
    [InlineData("""{ "payment": "7" }""", "payment must be one of")]
    [InlineData("""{ "samId": "not hex" }""", "SamId must be 16 upper-case hexadecimal digits")]
    [InlineData("""{ "slowDelayMs": -1 }""", "SlowDelay")]
    public async Task A_bad_value_is_a_400_naming_it_and_changes_nothing(string body, string message)
    {
        await using var tetra = TetraBridgeSimulator.Start();
        await using var h = await SandboxHarness.StartAsync(o => o.Tetra = tetra);

        using var post = await h.Http.PostAsync("_sandbox/tetra/behaviour", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Contains(message, await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(new TetraBehaviour(), tetra.Behaviour);
    }

    [Fact]
    public async Task Without_a_simulated_tetra_the_route_is_404()
    {
        await using var h = await SandboxHarness.StartAsync();

        using var post = await h.Http.PostAsJsonAsync("_sandbox/tetra/behaviour", new { card = "SamError" });

        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
    }
}
