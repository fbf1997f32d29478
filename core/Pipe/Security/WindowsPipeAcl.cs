using System.IO.Pipes;
using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Middleware.Pipe.Security;

/// <summary>One access rule of the pipe on Windows.</summary>
/// <param name="Principal">A SID (<c>S-1-5-...</c>) or an account name (<c>DOMAIN\user</c>).</param>
/// <param name="IsSid">True when <paramref name="Principal"/> is a SID.</param>
/// <param name="IsOwner">True for the host's own account, which also needs to create pipe instances.</param>
internal sealed record WindowsPipeRule(string Principal, bool IsSid, bool IsOwner);

/// <summary>
/// The Windows side of the allow-list: the pipe gets a DACL granting read/write to the host's account (unless
/// disallowed) and to each allowed account, and nothing else, so other users cannot even open it.
/// </summary>
internal static class WindowsPipeAcl
{
    /// <summary>The rules for <paramref name="options"/>; pure logic, unit-tested on every OS.</summary>
    public static IReadOnlyList<WindowsPipeRule> BuildRules(PipeServerOptions options, string currentUserSid)
    {
        // The owner always needs CreateNewInstance to add listeners; it gets read/write only when allowed to connect.
        var rules = new List<WindowsPipeRule> { new(currentUserSid, IsSid: true, IsOwner: true) };
        foreach (var entry in options.AllowedUsers)
        {
            var principal = entry.Trim();
            if (principal.Length == 0)
            {
                continue;
            }

            var isSid = principal.StartsWith("S-1-", StringComparison.OrdinalIgnoreCase);
            if (rules.Any(r => string.Equals(r.Principal, principal, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            rules.Add(new WindowsPipeRule(principal, isSid, IsOwner: false));
        }

        return rules;
    }

    /// <summary>The rights a rule grants.</summary>
    public static PipeAccessRights RightsFor(WindowsPipeRule rule, bool allowCurrentUser) =>
        rule.IsOwner
            ? (allowCurrentUser ? PipeAccessRights.FullControl : PipeAccessRights.CreateNewInstance | PipeAccessRights.ReadPermissions | PipeAccessRights.ChangePermissions)
            : PipeAccessRights.ReadWrite | PipeAccessRights.Synchronize;

    [SupportedOSPlatform("windows")]
    public static PipeSecurity Build(PipeServerOptions options)
    {
        var currentSid = WindowsIdentity.GetCurrent().User ?? throw new InvalidOperationException("The host's account has no SID.");
        var security = new PipeSecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        foreach (var rule in BuildRules(options, currentSid.Value))
        {
            IdentityReference identity = rule.IsSid ? new SecurityIdentifier(rule.Principal) : new NTAccount(rule.Principal);
            security.AddAccessRule(new PipeAccessRule(identity, RightsFor(rule, options.AllowCurrentUser), AccessControlType.Allow));
        }

        return security;
    }

    [SupportedOSPlatform("windows")]
    public static NamedPipeServerStream Create(PipeServerOptions options, string pipeName) =>
        NamedPipeServerStreamAcl.Create(
            pipeName,
            PipeDirection.InOut,
            NamedPipeServerStream.MaxAllowedServerInstances,
            PipeTransmissionMode.Byte,
            PipeOptions.Asynchronous,
            inBufferSize: 0,
            outBufferSize: 0,
            Build(options));
}
