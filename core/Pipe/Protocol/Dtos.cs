using System.Text.Json.Serialization;
using Middleware.Contracts.Plugins;
using Middleware.Contracts.Readers;

namespace Middleware.Pipe.Protocol;

/// <summary>Answer of <c>hello</c>.</summary>
/// <param name="ServerVersion">The middleware's version.</param>
/// <param name="ProtocolVersion">The till protocol's version (this document: 1.0).</param>
/// <param name="PointOfSale">The point of sale the till is now bound to, normalised.</param>
/// <param name="Label">Its configured label.</param>
/// <param name="Capabilities">Every method the till may call on this host.</param>
/// <param name="Notifications">Every notification the host may send.</param>
/// <param name="ConnectionId">This connection, to quote to support.</param>
public sealed record HelloResult(
    string ServerVersion,
    string ProtocolVersion,
    string PointOfSale,
    string Label,
    IReadOnlyList<string> Capabilities,
    IReadOnlyList<string> Notifications,
    string ConnectionId);

/// <summary>One plugin in <c>plugins.status</c>.</summary>
public sealed record PluginStatusDto(string Id, string? Version, PluginState State, string? Reason, string Folder, DateTimeOffset Since);

/// <summary>One reader in <c>readers.list</c>. <see cref="PluginId"/> is null for a configured reader no plugin offers.</summary>
public sealed record ReaderDto(string Name, string? PluginId, IReadOnlyList<CardTechnology> Technologies, ReaderState State);

/// <summary>Parameters of the <c>card.tapped</c> notification.</summary>
public sealed record CardTappedNotification(
    string Reader,
    CardTechnology Technology,
    [property: JsonPropertyName("idSupport")] string IdSupport,
    [property: JsonPropertyName("numeroApplicatif")] string NumeroApplicatif,
    bool Authenticated,
    string? SamId,
    int? IssuerCrous,
    DateOnly? CreationDate,
    DateTimeOffset At);

/// <summary>Parameters of the <c>card.readFailed</c> notification.</summary>
/// <param name="Reader">The reader.</param>
/// <param name="Error">The reader's reason (<see cref="CardReadError"/> name).</param>
/// <param name="Code">The protocol error code for that reason.</param>
/// <param name="Message">The French cashier message.</param>
/// <param name="Detail">English details for support.</param>
/// <param name="At">When.</param>
public sealed record CardReadFailedNotification(string Reader, CardReadError Error, int Code, string Message, string Detail, DateTimeOffset At);

/// <summary>Parameters of the <c>card.removed</c> notification.</summary>
public sealed record CardRemovedNotification(string Reader, DateTimeOffset At);

/// <summary>Parameters of the <c>readers.changed</c> notification: call <c>readers.list</c> again.</summary>
public sealed record ReadersChangedNotification(string PluginId);

/// <summary>Names of the notifications the server sends.</summary>
public static class NotificationNames
{
    public const string CardTapped = "card.tapped";
    public const string CardReadFailed = "card.readFailed";
    public const string CardRemoved = "card.removed";
    public const string ReadersChanged = "readers.changed";

    public static readonly IReadOnlyList<string> All = [CardTapped, CardReadFailed, CardRemoved, ReadersChanged];
}
