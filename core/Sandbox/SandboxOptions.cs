using Microsoft.Extensions.Logging;

namespace Middleware.Sandbox;

/// <summary>Settings of a sandbox server. Every default suits tests and the demo.</summary>
public sealed class SandboxOptions
{
    /// <summary>TCP port on the loopback interface; 0 (default) picks a free one (read <see cref="SandboxServer.BaseUrl"/>).</summary>
    public int Port { get; set; }

    /// <summary>The sandbox's own SQLite file (created when missing). Default <c>sandbox.db</c> in the working directory.</summary>
    public string DatabasePath { get; set; } = "sandbox.db";

    /// <summary>Lifetime of a VEM installation-key token (§2.1). Default one hour, as the sandbox's <c>expiresIn</c> says.</summary>
    public TimeSpan VemTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of an OAuth2 access token (§2.2). Default two hours (<c>expires_in: 7200</c>).</summary>
    public TimeSpan OAuthTokenLifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long a QR code stays valid after its timestamp (§6). Default five minutes.</summary>
    public TimeSpan QrCodeValidity { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How far in the future a QR timestamp may be (phone clocks drift). Default two minutes.</summary>
    public TimeSpan QrCodeClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The clock of tokens, QR codes, periods and operation dates. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Time zone of the Crous (ticket numbers, "same day" cancel, periods). Default <c>Europe/Paris</c>.</summary>
    public string TimeZoneId { get; set; } = "Europe/Paris";

    /// <summary>Logging; null (default) logs nothing. Secrets (keys, tokens, passwords, QR codes) are never logged.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Benchmarks only: called after every API request with its method, path, status and the time the sandbox spent on it
    /// (from the start of its pipeline to the end of its handler). Null (default): nothing is timed.
    /// </summary>
    public Action<SandboxRequestTiming>? RequestObserver { get; set; }

    /// <summary>Timeout of the IzlyPay callback POST to the merchant. Default five seconds.</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A simulated Tetra (<c>core/VirtualTerminals</c>, started and owned by the caller) whose behaviour
    /// <c>/_sandbox/tetra/behaviour</c> reads and switches. Null (default): that route answers 404.</summary>
    public Middleware.VirtualTerminals.Tetra.ITetraTerminalControl? Tetra { get; set; }
}

/// <summary>One request the sandbox handled, as seen by <see cref="SandboxOptions.RequestObserver"/>.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path.</param>
/// <param name="Status">Response status.</param>
/// <param name="StartTimestamp">When the sandbox's pipeline got the request (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</param>
/// <param name="Elapsed">Time spent in the sandbox's pipeline, handler included.</param>
public sealed record SandboxRequestTiming(string Method, string Path, int Status, long StartTimestamp, TimeSpan Elapsed);
