using System.Text.Json.Serialization;
using Middleware.Payments.Reconciliation;

namespace Middleware.Payments.Rpc;

/// <summary>Compile-time JSON metadata of this project's till-protocol parameters and results, combined into the pipe's
/// serializer options (registered as an <see cref="Middleware.Domain.Rpc.RpcJsonMetadata"/>); names, enums and escaping
/// come from those options. BasketLine (sale.setBasket's lines) is registered as read by reflection: generated code
/// sets every init-only property, so a line without "quantity" or "components" would get 0 and null instead of the
/// record's defaults (1 and []).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DictionaryKeyPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SaleView))]
[JsonSerializable(typeof(UnticketedSaleView))]
[JsonSerializable(typeof(IReadOnlyList<UnticketedSaleView>))]
[JsonSerializable(typeof(WebPaymentView))]
[JsonSerializable(typeof(PaymentView))]
[JsonSerializable(typeof(SaleQuoteView))]
[JsonSerializable(typeof(CatalogView))]
[JsonSerializable(typeof(ReconciliationReport))]
internal sealed partial class PaymentsRpcJsonContext : JsonSerializerContext;
