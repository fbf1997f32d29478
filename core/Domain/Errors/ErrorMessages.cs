using System.Collections.Frozen;

namespace Middleware.Domain.Errors;

/// <summary>The French message a cashier can read aloud for each <see cref="ErrorCode"/>.</summary>
public static class ErrorMessages
{
    private static readonly FrozenDictionary<ErrorCode, string> Messages = new Dictionary<ErrorCode, string>
    {
        [ErrorCode.InvalidRequest] = "Demande invalide : contactez le support.",
        [ErrorCode.UnknownPointOfSale] = "Point de vente inconnu : vérifiez la configuration de la caisse.",
        [ErrorCode.HelloRequired] = "La caisse doit d'abord s'identifier.",
        [ErrorCode.RequestIdRequired] = "Identifiant de demande manquant : contactez le support.",
        [ErrorCode.RequestIdReused] = "Identifiant de demande déjà utilisé pour une autre opération.",
        [ErrorCode.Busy] = "Service occupé, veuillez réessayer.",
        [ErrorCode.OperatorOnly] = "Opération réservée au support.",
        [ErrorCode.InternalError] = "Erreur interne : contactez le support.",
        [ErrorCode.PluginUnavailable] = "Module indisponible.",
        [ErrorCode.PluginMalfunctioned] = "Module en défaut : contactez le support.",
        [ErrorCode.PluginTimeout] = "Le module ne répond pas, veuillez réessayer.",
        [ErrorCode.UnknownReader] = "Lecteur inconnu.",
        [ErrorCode.ReaderUnavailable] = "Lecteur indisponible : vérifiez son branchement.",
        [ErrorCode.NotAnIzlyCard] = "Ce n'est pas une carte Izly.",
        [ErrorCode.CardAuthenticationFailed] = "Carte non reconnue : authentification refusée.",
        [ErrorCode.CardRemoved] = "Carte retirée trop tôt : représentez la carte.",
        [ErrorCode.InvalidCardData] = "Carte illisible : données invalides.",
        [ErrorCode.CardError] = "Erreur de lecture de la carte : représentez la carte.",
        [ErrorCode.SamError] = "Module de sécurité (SAM) en défaut : contactez le support.",
        [ErrorCode.NoCard] = "Aucune carte présentée.",
        [ErrorCode.CustomerUnknown] = "Client inconnu d'Izly.",
        [ErrorCode.AccountClosed] = "Compte Izly clôturé.",
        [ErrorCode.AccountBlocked] = "Compte Izly bloqué.",
        [ErrorCode.AccountFrozen] = "Compte Izly gelé.",
        [ErrorCode.AccountExpired] = "Droits expirés : date de fin de validité dépassée.",
        [ErrorCode.AccountNotConfirmed] = "Compte Izly non confirmé.",
        [ErrorCode.QrCodeInvalid] = "QR code invalide.",
        [ErrorCode.QrCodeExpired] = "QR code expiré : générez-en un nouveau.",
        [ErrorCode.QrCodeAlreadyUsed] = "QR code déjà utilisé : générez-en un nouveau.",
        [ErrorCode.InsufficientBalance] = "Solde Izly insuffisant.",
        [ErrorCode.PaymentRefused] = "Paiement refusé.",
        [ErrorCode.PaymentOutcomeUnknown] = "Résultat du paiement inconnu : ne pas encaisser à nouveau, vérifier le paiement.",
        [ErrorCode.PaymentNotFound] = "Paiement introuvable.",
        [ErrorCode.PaymentNotCancellable] = "Ce paiement ne peut plus être annulé.",
        [ErrorCode.PaymentNotCompleted] = "Paiement CB non abouti (carte non présentée, annulé sur le terminal ou délai dépassé) : rien n'a été encaissé.",
        [ErrorCode.SaleNotFound] = "Vente introuvable.",
        [ErrorCode.SaleStateInvalid] = "Opération impossible dans l'état actuel de la vente.",
        [ErrorCode.SaleTotalMismatch] = "Montant différent du total de la vente : vérifiez le montant encaissé, la vente n'est pas enregistrée.",
        [ErrorCode.TicketInvalid] = "Ticket incohérent : contactez le support.",
        [ErrorCode.TicketNotFound] = "Ticket introuvable.",
        [ErrorCode.NumberingOriginUnknown] = "Numérotation des tickets non initialisée : contactez le support.",
        [ErrorCode.PaidNoTicket] = "Paiement encaissé, ticket en attente : ne pas encaisser à nouveau, contactez le support.",
        [ErrorCode.ScriptFaulted] = "Règle de tarification en défaut : contactez le support.",
        [ErrorCode.ScriptNotFound] = "Règle de tarification introuvable.",
        [ErrorCode.ReferenceDataUnavailable] = "Données du Crous indisponibles.",
        [ErrorCode.UpstreamUnavailable] = "Service Crous/Izly injoignable, veuillez réessayer.",
        [ErrorCode.UpstreamRejected] = "Opération refusée par le service Crous/Izly.",
    }.ToFrozenDictionary();

    /// <summary>The cashier message for <paramref name="code"/>; every code has one (a unit test checks).</summary>
    public static string For(ErrorCode code) => Messages.TryGetValue(code, out var m) ? m : Messages[ErrorCode.InternalError];

    /// <summary>True when <paramref name="code"/> has its own message.</summary>
    public static bool Has(ErrorCode code) => Messages.ContainsKey(code);
}

/// <summary>
/// A failure the till must see with its stable code. Thrown by domain code; the pipe server turns it into
/// a JSON-RPC error carrying the code, the French message and <see cref="Exception.Message"/> (English, for support).
/// </summary>
public sealed class MiddlewareException : Exception
{
    public MiddlewareException(ErrorCode code, string detail, object? data = null, Exception? inner = null)
        : base(detail, inner)
    {
        Code = code;
        Payload = data;
    }

    public MiddlewareException() : this(ErrorCode.InternalError, "Internal error.") { }

    public MiddlewareException(string message) : this(ErrorCode.InternalError, message) { }

    public MiddlewareException(string message, Exception inner) : this(ErrorCode.InternalError, message, null, inner) { }

    public ErrorCode Code { get; }

    /// <summary>Structured details for the till (e.g. the balance on an insufficient-balance refusal).</summary>
    public object? Payload { get; }

    public string CashierMessage => ErrorMessages.For(Code);
}
