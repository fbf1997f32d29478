using System.Text.Json.Serialization;
using Middleware.Tickets.Closing;
using Middleware.Tickets.Journal;
using Middleware.Tickets.Whiz;

namespace Middleware.Tickets.Rpc;

/// <summary>Compile-time JSON metadata of this project's till-protocol parameters and results, combined into the pipe's
/// serializer options (registered as an <see cref="Middleware.Domain.Rpc.RpcJsonMetadata"/>); names, enums and escaping
/// come from those options.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DictionaryKeyPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ClosingReport))]
[JsonSerializable(typeof(IReadOnlyList<ClosingReport>))]
[JsonSerializable(typeof(JournalStatus))]
[JsonSerializable(typeof(JournalVerification))]
[JsonSerializable(typeof(JournalExport))]
[JsonSerializable(typeof(TicketRecord))]
[JsonSerializable(typeof(IReadOnlyList<TicketRecord>))]
[JsonSerializable(typeof(TicketDetail))]
[JsonSerializable(typeof(OutboxStatus))]
[JsonSerializable(typeof(WhizOrderRecord))]
internal sealed partial class TicketsRpcJsonContext : JsonSerializerContext;
