using System.Text.Json.Serialization;

namespace Middleware.Payments.Journal;

/// <summary>Source-generated JSON of the transaction id lists <see cref="PaymentJournal.ListByTransactionsAsync"/> hands
/// SQLite's json_each (one constant statement for any number of ids).</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class TransactionIdListJson : JsonSerializerContext
{
}
