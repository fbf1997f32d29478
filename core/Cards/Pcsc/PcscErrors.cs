using Middleware.Cards.Pcsc.Native;
using Middleware.Contracts.Readers;

namespace Middleware.Cards.Pcsc;

/// <summary>Maps native PC/SC return codes to the contract's <see cref="SmartCardException"/>.</summary>
internal static class PcscErrors
{
    public static SmartCardError Classify(uint code) => code switch
    {
        PcscCode.NoService => SmartCardError.NoService,
        PcscCode.ServiceStopped or PcscCode.Shutdown => SmartCardError.ServiceStopped,
        PcscCode.RemovedCard => SmartCardError.RemovedCard,
        PcscCode.NoSmartcard => SmartCardError.NoSmartcard,
        PcscCode.Timeout => SmartCardError.Timeout,
        PcscCode.Cancelled or PcscCode.SystemCancelled => SmartCardError.Cancelled,
        PcscCode.UnknownReader => SmartCardError.UnknownReader,
        PcscCode.ReaderUnavailable => SmartCardError.ReaderUnavailable,
        PcscCode.ResetCard => SmartCardError.ResetCard,
        PcscCode.UnresponsiveCard or PcscCode.UnpoweredCard => SmartCardError.UnresponsiveCard,
        PcscCode.SharingViolation => SmartCardError.SharingViolation,
        PcscCode.NotTransacted or PcscCode.CommError or PcscCode.ProtoMismatch or PcscCode.InvalidAtr
            or PcscCode.UnsupportedCard or PcscCode.CardUnsupported => SmartCardError.CommunicationError,
        _ => SmartCardError.Other,
    };

    /// <summary>True for the codes that mean the context (or the daemon behind it) is gone: the context is
    /// dropped and a fresh one established.</summary>
    public static bool IsContextLost(uint code) =>
        code is PcscCode.NoService or PcscCode.ServiceStopped or PcscCode.Shutdown or PcscCode.InvalidHandle
            // pcsc-lite's answer when the socket to a killed daemon breaks under a context.
            or PcscCode.CommError;

    /// <summary>The exception for a call that failed with <paramref name="code"/>: a lost context becomes
    /// <see cref="SmartCardError.NoService"/> or <see cref="SmartCardError.ServiceStopped"/>.</summary>
    public static SmartCardException For(uint code, string operation, string? reader = null) =>
        IsContextLost(code) && code != PcscCode.NoService
            ? new SmartCardException(SmartCardError.ServiceStopped, code, $"PC/SC {operation}{(reader is null ? string.Empty : $" on reader '{reader}'")} failed: {PcscCode.Name(code)} (the PC/SC service stopped or restarted).")
            : Exception(code, operation, reader);

    public static SmartCardException Exception(uint code, string operation, string? reader = null)
    {
        var error = Classify(code);
        var where = reader is null ? string.Empty : $" on reader '{reader}'";
        return new SmartCardException(error, code, $"PC/SC {operation}{where} failed: {PcscCode.Name(code)} ({Describe(error)}).");
    }

    /// <summary>A lost context seen on a connection: the daemon restarted or stopped under it.</summary>
    public static SmartCardException ServiceLost(uint code, string operation, string reader) =>
        new(
            code == PcscCode.NoService ? SmartCardError.NoService : SmartCardError.ServiceStopped,
            code,
            $"PC/SC {operation} on reader '{reader}' failed: {PcscCode.Name(code)} (the PC/SC service stopped or restarted; reconnect).");

    private static string Describe(SmartCardError error) => error switch
    {
        SmartCardError.NoService => "the PC/SC service is not running",
        SmartCardError.ServiceStopped => "the PC/SC service stopped",
        SmartCardError.RemovedCard => "the card was removed",
        SmartCardError.NoSmartcard => "no card on the reader",
        SmartCardError.Timeout => "timed out",
        SmartCardError.Cancelled => "cancelled",
        SmartCardError.UnknownReader => "unknown reader",
        SmartCardError.ReaderUnavailable => "reader unavailable",
        SmartCardError.ResetCard => "the card was reset by another application",
        SmartCardError.UnresponsiveCard => "the card does not answer",
        SmartCardError.SharingViolation => "another application holds the card",
        SmartCardError.CommunicationError => "communication with the card failed",
        _ => "PC/SC error",
    };
}
