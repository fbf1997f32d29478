using System.Text.Json;
using System.Text.Json.Serialization;
using Middleware.Api.Izly;
using Middleware.Api.Vem;
using Middleware.Domain.Tickets;

namespace Middleware.Api.Http;

/// <summary>
/// Source-generated JSON metadata of every Izly and VEM wire record, with the options the wire always had (web
/// defaults: camelCase, names matched case-insensitively, numbers readable from strings; nulls not written) and the
/// per-property converters (<see cref="FlexibleStringConverter"/>) taken from the records' attributes. No reflection,
/// no options set up at run time; the bytes written are the reflection serializer's (checked by the wire tests).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
// Izly (crous-izly-api.md §5, §7, §8).
[JsonSerializable(typeof(IzlyAdapter.DebitBody))]
[JsonSerializable(typeof(IzlyAdapter.WebPaymentBody))]
[JsonSerializable(typeof(IzlyAdapter.RightHolderWire))]
[JsonSerializable(typeof(IzlyAdapter.OperationWire))]
[JsonSerializable(typeof(IzlyAdapter.OperationsPageWire))]
[JsonSerializable(typeof(IzlyAdapter.CancelWire))]
[JsonSerializable(typeof(IzlyAdapter.WebPaymentCreatedWire))]
[JsonSerializable(typeof(IzlyAdapter.WebPaymentCheckWire))]
[JsonSerializable(typeof(IzlyAdapter.ErrorBody), TypeInfoPropertyName = "IzlyErrorBody")]
[JsonSerializable(typeof(IzlyAdapter.ErrorItem), TypeInfoPropertyName = "IzlyErrorItem")]
[JsonSerializable(typeof(List<IzlyAdapter.ErrorItem>), TypeInfoPropertyName = "IzlyErrorItemList")]
// VEM and Whiz (§2, §3, §4, §7, §9).
[JsonSerializable(typeof(VemAdapter.AuthenticateRequest))]
[JsonSerializable(typeof(VemAdapter.AuthenticateResponse))]
[JsonSerializable(typeof(VemAdapter.OAuthTokenResponse))]
[JsonSerializable(typeof(VemAdapter.TicketAccepted))]
[JsonSerializable(typeof(VemAdapter.ErrorBody), TypeInfoPropertyName = "VemErrorBody")]
[JsonSerializable(typeof(VemAdapter.ErrorItem), TypeInfoPropertyName = "VemErrorItem")]
[JsonSerializable(typeof(List<VemAdapter.ErrorItem>), TypeInfoPropertyName = "VemErrorItemList")]
[JsonSerializable(typeof(VemAdapter.WhizStatusBody))]
[JsonSerializable(typeof(VemCaisse))]
[JsonSerializable(typeof(List<VemTva>))]
[JsonSerializable(typeof(List<VemArticle>))]
[JsonSerializable(typeof(List<VemSociete>))]
[JsonSerializable(typeof(List<VemSocieteTarif>))]
[JsonSerializable(typeof(List<VemPeriode>))]
[JsonSerializable(typeof(List<VemSocieteTarifPeriode>))]
[JsonSerializable(typeof(List<VemArticlePrix>))]
[JsonSerializable(typeof(List<VemDroitEntreeType>))]
[JsonSerializable(typeof(List<VemDroitEntree>))]
[JsonSerializable(typeof(List<VemSubvention>))]
[JsonSerializable(typeof(WhizOrder))]
[JsonSerializable(typeof(WhizOrderCreated))]
[JsonSerializable(typeof(VemTicket))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
