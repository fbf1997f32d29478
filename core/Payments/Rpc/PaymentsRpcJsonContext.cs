using System.Text.Json.Serialization;
using Middleware.Payments.Reconciliation;
using Middleware.Scripting.Globals;

namespace Middleware.Payments.Rpc;

/// <summary>Compile-time JSON metadata of this project's till-protocol parameters and results, combined into the pipe's
/// serializer options (registered as an <see cref="Middleware.Domain.Rpc.RpcJsonMetadata"/>); names, enums and escaping
/// come from those options.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DictionaryKeyPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SaleView))]
[JsonSerializable(typeof(IReadOnlyList<BasketLine>))]
[JsonSerializable(typeof(UnticketedSaleView))]
[JsonSerializable(typeof(IReadOnlyList<UnticketedSaleView>))]
[JsonSerializable(typeof(WebPaymentView))]
[JsonSerializable(typeof(PaymentView))]
[JsonSerializable(typeof(SaleQuoteView))]
[JsonSerializable(typeof(CatalogView))]
[JsonSerializable(typeof(ReconciliationReport))]
internal sealed partial class PaymentsRpcJsonContext : JsonSerializerContext;
