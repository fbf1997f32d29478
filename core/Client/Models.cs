namespace Middleware.Client;

/// <summary>The answer of <c>hello</c>.</summary>
/// <param name="ServerVersion">The middleware's version.</param>
/// <param name="ProtocolVersion">The till protocol's version.</param>
/// <param name="PointOfSale">The point of sale this connection is bound to.</param>
/// <param name="Label">Its label.</param>
/// <param name="Capabilities">The methods this middleware offers.</param>
/// <param name="Notifications">The notifications it may send.</param>
/// <param name="ConnectionId">The connection's id, for support.</param>
public sealed record HelloInfo(string ServerVersion, string ProtocolVersion, string PointOfSale, string Label, IReadOnlyList<string> Capabilities, IReadOnlyList<string> Notifications, string ConnectionId);

/// <summary>One plugin's status.</summary>
/// <param name="Id">The plugin id.</param>
/// <param name="Version">Its loaded version, if any.</param>
/// <param name="State"><c>Active</c>, <c>Disabled</c>, <c>NotSupported</c>, <c>Malfunctioned</c> or <c>Superseded</c>.</param>
/// <param name="Reason">Why it is not active (English), if so.</param>
/// <param name="Folder">The folder it loads from.</param>
/// <param name="Since">Since when it is in this state.</param>
public sealed record PluginStatus(string Id, string? Version, string State, string? Reason, string Folder, DateTimeOffset Since);

/// <summary>One reader of the till's point of sale.</summary>
/// <param name="Name">The reader's name.</param>
/// <param name="PluginId">The plugin that offers it; null when no active plugin does.</param>
/// <param name="Technologies">The card technologies it reads.</param>
/// <param name="State"><c>Empty</c>, <c>CardPresent</c> or <c>Unavailable</c>.</param>
public sealed record ReaderInfo(string Name, string? PluginId, IReadOnlyList<string> Technologies, string State);

/// <summary>A card was read on a reader of the till's point of sale (<c>card.tapped</c>).</summary>
/// <param name="Reader">The reader.</param>
/// <param name="Technology">How it was read.</param>
/// <param name="IdSupport">The card number (<c>idSupport</c>).</param>
/// <param name="NumeroApplicatif">The application number (<c>numeroApplicatif</c>).</param>
/// <param name="Authenticated">True when a SAM proved the card genuine.</param>
/// <param name="SamId">The SAM that authenticated it, if any.</param>
/// <param name="IssuerCrous">The issuing Crous, if known.</param>
/// <param name="CreationDate">The card data's creation date, if known.</param>
/// <param name="At">When.</param>
public sealed record CardTappedEvent(string Reader, string Technology, string IdSupport, string NumeroApplicatif, bool Authenticated, string? SamId, int? IssuerCrous, DateOnly? CreationDate, DateTimeOffset At);

/// <summary>A card was presented but not read (<c>card.readFailed</c>).</summary>
/// <param name="Reader">The reader.</param>
/// <param name="Error">The reader's reason.</param>
/// <param name="Code">The protocol error code.</param>
/// <param name="Message">The French cashier message.</param>
/// <param name="Detail">English details.</param>
/// <param name="At">When.</param>
public sealed record CardReadFailedEvent(string Reader, string Error, int Code, string Message, string Detail, DateTimeOffset At);

/// <summary>A card left a reader (<c>card.removed</c>).</summary>
/// <param name="Reader">The reader.</param>
/// <param name="At">When.</param>
public sealed record CardRemovedEvent(string Reader, DateTimeOffset At);

/// <summary>A plugin's readers changed (<c>readers.changed</c>): list them again.</summary>
/// <param name="PluginId">The plugin.</param>
public sealed record ReadersChangedEvent(string PluginId);
