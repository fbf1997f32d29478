using System.IO.Pipes;
using Middleware.Client;
using Middleware.Pipe.Security;

namespace Middleware.Pipe.Tests.Security;

public sealed class AccessTests
{
    [Theory]
    [InlineData(true, new string[0], 1000u, "me", true)]
    [InlineData(true, new string[0], 1001u, "other", false)]
    [InlineData(true, new[] { "1001" }, 1001u, "other", true)]
    [InlineData(true, new[] { "till" }, 1002u, "till", true)]
    [InlineData(true, new[] { "till" }, 1002u, null, false)]
    [InlineData(true, new[] { " till ", "" }, 1002u, "till", true)]
    [InlineData(true, new[] { "Till" }, 1002u, "till", false)]
    [InlineData(false, new[] { "till" }, 1000u, "me", false)]
    [InlineData(false, new[] { "1000" }, 1000u, "me", true)]
    public void Allow_list_rule(bool allowCurrentUser, string[] allowed, uint peerUid, string? peerName, bool expected)
    {
        var policy = new PipeAccessPolicy(new PipeServerOptions { AllowCurrentUser = allowCurrentUser, AllowedUsers = [.. allowed] });

        Assert.Equal(expected, policy.IsAllowed(new PeerIdentity(peerUid, peerName, 1), currentUid: 1000));
    }

    [Theory]
    [InlineData(true, new string[0], true)]
    [InlineData(true, new[] { "till" }, false)]
    [InlineData(false, new string[0], false)]
    public void The_os_enforces_current_user_only_when_no_allow_list_is_configured(bool allowCurrentUser, string[] allowed, bool expected) =>
        Assert.Equal(expected, new PipeAccessPolicy(new PipeServerOptions { AllowCurrentUser = allowCurrentUser, AllowedUsers = [.. allowed] }).CurrentUserOnly);

    [Fact]
    public void Windows_acl_grants_the_owner_and_each_allowed_account_once()
    {
        var rules = WindowsPipeAcl.BuildRules(new PipeServerOptions { AllowedUsers = ["CROUS\\caisse1", "S-1-5-21-1-2-3-1001", "crous\\CAISSE1", " "] }, "S-1-5-21-1-2-3-500");

        Assert.Equal(
            [
                new WindowsPipeRule("S-1-5-21-1-2-3-500", true, true),
                new WindowsPipeRule("CROUS\\caisse1", false, false),
                new WindowsPipeRule("S-1-5-21-1-2-3-1001", true, false),
            ],
            rules);
        Assert.Equal(PipeAccessRights.FullControl, WindowsPipeAcl.RightsFor(rules[0], allowCurrentUser: true));
        Assert.False(WindowsPipeAcl.RightsFor(rules[0], allowCurrentUser: false).HasFlag(PipeAccessRights.ReadData));
        Assert.True(WindowsPipeAcl.RightsFor(rules[0], allowCurrentUser: false).HasFlag(PipeAccessRights.CreateNewInstance));
        Assert.Equal(PipeAccessRights.ReadWrite | PipeAccessRights.Synchronize, WindowsPipeAcl.RightsFor(rules[1], allowCurrentUser: true));
    }

    [Fact]
    public async Task A_peer_outside_the_allow_list_is_disconnected_before_any_call()
    {
        await using var harness = await PipeServerHarness.StartAsync(s => s["Pipe:AllowCurrentUser"] = "false");

        await Assert.ThrowsAsync<MiddlewareConnectionException>(() => harness.ConnectAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_peer_in_the_allow_list_by_uid_or_name_is_served(bool byName)
    {
        var entry = byName ? Environment.UserName : UnixPeerCredentials.CurrentUid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var harness = await PipeServerHarness.StartAsync(s =>
        {
            s["Pipe:AllowCurrentUser"] = "false";
            s["Pipe:AllowedUsers:0"] = "nobody"; // another account of the system (unknown names are refused at start)
            s["Pipe:AllowedUsers:1"] = entry;
        });

        await using var client = await harness.ConnectAsync();

        Assert.Equal("1-1-1-1-1|test till", await client.CallAsync<string>("test.whoami"));
        Assert.Equal(Environment.UserName, UnixPeerCredentials.UserNameOf(UnixPeerCredentials.CurrentUid));
    }
}
