using Middleware.Contracts.Readers;
using Middleware.Plugins.Sdk.Zdc;

namespace Middleware.Plugins.Sdk.Pcsc;

/// <summary>
/// The SDK's mapping of what goes wrong during a card read to the stable <see cref="CardReadError"/> the tills see.
/// Plugins built on <see cref="PcscCardPluginBase"/> get it for free; others may call <see cref="Map"/>.
/// </summary>
public static class CardErrors
{
    /// <summary>Maps <paramref name="ex"/> to a <see cref="CardReadException"/> (returned as is when it already is one).</summary>
    /// <param name="ex">What the read threw.</param>
    public static CardReadException Map(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex switch
        {
            CardReadException read => read,
            CardProtocolException protocol => new CardReadException(CardReadError.CardError, protocol.Message, ex),
            SmartCardException { IsCardGone: true } => new CardReadException(CardReadError.CardRemoved, "The card left the reader during the read.", ex),
            SmartCardException { Error: SmartCardError.UnresponsiveCard } => new CardReadException(CardReadError.CardError, "The card does not answer (mute or badly placed).", ex),
            SmartCardException pcsc => new CardReadException(CardReadError.ReaderError, $"The reader failed: {pcsc.Error} (0x{pcsc.NativeCode:X8}).", ex),
            SamException { Error: SamError.AuthenticationFailed } => new CardReadException(CardReadError.AuthenticationFailed, "The card's authentication proof is wrong: wrong key or not a genuine card.", ex),
            SamException { Error: SamError.IntegrityError } sam => new CardReadException(CardReadError.CardError, $"The card's answer failed the integrity check: {sam.Message}", ex),
            SamException sam => new CardReadException(CardReadError.SamError, $"SAM error {sam.Error}: {sam.Message}", ex),
            ZdcFormatException zdc => new CardReadException(CardReadError.InvalidZdc, zdc.Message, ex),
            _ => new CardReadException(CardReadError.ReaderError, $"Unexpected failure: {ex.GetType().Name}: {ex.Message}", ex),
        };
    }
}
