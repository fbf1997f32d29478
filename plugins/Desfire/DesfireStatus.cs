using Middleware.Contracts.Readers;

namespace Middleware.Plugins.Desfire;

/// <summary>DESFire status codes (SW2 of <c>91 xx</c>) and their mapping to <see cref="CardReadException"/>.</summary>
internal static class DesfireStatus
{
    public const byte Ok = 0x00;
    public const byte AdditionalFrame = 0xAF;

    private static readonly Dictionary<byte, string> Names = new()
    {
        [0x00] = "OPERATION_OK",
        [0x0C] = "NO_CHANGES",
        [0x0E] = "OUT_OF_EEPROM_ERROR",
        [0x1C] = "ILLEGAL_COMMAND_CODE",
        [0x1E] = "INTEGRITY_ERROR",
        [0x40] = "NO_SUCH_KEY",
        [0x7E] = "LENGTH_ERROR",
        [0x9D] = "PERMISSION_DENIED",
        [0x9E] = "PARAMETER_ERROR",
        [0xA0] = "APPLICATION_NOT_FOUND",
        [0xA1] = "APPL_INTEGRITY_ERROR",
        [0xAE] = "AUTHENTICATION_ERROR",
        [0xAF] = "ADDITIONAL_FRAME",
        [0xBE] = "BOUNDARY_ERROR",
        [0xC1] = "PICC_INTEGRITY_ERROR",
        [0xCA] = "COMMAND_ABORTED",
        [0xCD] = "PICC_DISABLED_ERROR",
        [0xCE] = "COUNT_ERROR",
        [0xDE] = "DUPLICATE_ERROR",
        [0xEE] = "EEPROM_ERROR",
        [0xF0] = "FILE_NOT_FOUND",
        [0xF1] = "FILE_INTEGRITY_ERROR",
    };

    public static string Name(byte status) => Names.TryGetValue(status, out var name) ? name : "UNKNOWN_STATUS";

    /// <summary>The error for a DESFire status other than OK during <paramref name="command"/>.</summary>
    public static CardReadException ToException(byte status, string command, uint applicationId, byte fileNumber)
    {
        var code = $"91 {status:X2} {Name(status)}";
        return status switch
        {
            0xA0 => new CardReadException(CardReadError.NotAnIzlyCard, $"Not an Izly card: the card has no application {applicationId:X6} ({code}, {command})."),
            0xAE => new CardReadException(CardReadError.AuthenticationFailed, $"The card refused the authentication: wrong key or diversification ({code}, {command})."),
            0x9D => new CardReadException(CardReadError.CardError, $"Permission denied: the key used does not grant this access ({code}, {command})."),
            0xF0 => new CardReadException(CardReadError.NotAnIzlyCard, $"Not an Izly card: application {applicationId:X6} has no file {fileNumber:X2} ({code}, {command})."),
            0x1E => new CardReadException(CardReadError.CardError, $"The card reported an integrity error (wrong CRC or padding) ({code}, {command})."),
            0x7E => new CardReadException(CardReadError.CardError, $"The card reported a length error ({code}, {command})."),
            _ => new CardReadException(CardReadError.CardError, $"The card answered {code} to {command}."),
        };
    }
}
