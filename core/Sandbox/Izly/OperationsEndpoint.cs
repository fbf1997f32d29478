using System.Globalization;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Middleware.Sandbox.Izly;

/// <summary>One operation of the reconciliation list (crous-izly-api.md §5, [designed]).</summary>
public sealed record IzlyListedOperation(
    [property: JsonPropertyName("idTransactionIzly")] string IdTransactionIzly,
    [property: JsonPropertyName("clientOrderId")] string ClientOrderId,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("means")] string Means,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("refundedAt")] DateTimeOffset? RefundedAt);

/// <summary>A page of the reconciliation list.</summary>
public sealed record IzlyOperationsPage(
    [property: JsonPropertyName("page")] int Page,
    [property: JsonPropertyName("pageSize")] int PageSize,
    [property: JsonPropertyName("totalCount")] int TotalCount,
    [property: JsonPropertyName("operations")] IReadOnlyList<IzlyListedOperation> Operations);

/// <summary>
/// [designed] <c>GET /api/payments?from=&amp;to=&amp;page=&amp;pageSize=</c>: the authenticated point of sale's operations
/// (card and QR debits, IzlyPay web payments, refunds) created or updated in [from, to), by increasing id.
/// </summary>
internal static class OperationsEndpoint
{
    public const int MaxPageSize = 500;
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    // Card and QR debits from their transaction; web payments by their operation id (the one a ticket carries), with the
    // status and refund of the transaction their confirmation made, if any. Ids never collide (88401... vs 700001...).
    private const string Union = """
        SELECT id AS Id, client_order_id AS ClientOrderId, amount AS Amount, status AS Status, means AS Means,
               operation_date AS CreatedAt, COALESCE(cancelled_at, operation_date) AS UpdatedAt, cancelled_at AS RefundedAt
          FROM transactions WHERE app_id=@appId AND means <> 'izlypay'
        UNION ALL
        SELECT w.operation_id, w.client_order_id, w.amount, COALESCE(t.status, w.status), 'izlypay',
               w.created_at, COALESCE(t.cancelled_at, w.paid_at, w.created_at), t.cancelled_at
          FROM web_payments w LEFT JOIN transactions t ON t.app_id=w.app_id AND t.client_order_id='izlypay:' || w.operation_id
         WHERE w.app_id=@appId
        """;

    public static void Map(IEndpointRouteBuilder app, SandboxState s)
    {
        app.MapGet("/api/payments", (HttpContext ctx, string? from, string? to, string? page, string? pageSize) =>
        {
            if (IzlyEndpoints.Authorize(ctx, s) is not { } appId)
            {
                return Errors.Unauthorized("Izly authentication failed (Basic appId:cleIzly and AppIdentifier).");
            }

            if (!TryDate(from, out var start) || !TryDate(to, out var end))
            {
                return Errors.BadRequest("from and to are ISO 8601 dates (UTC when no offset is given).", TryDate(from, out _) ? "to" : "from");
            }

            if (end <= start || end - start > MaxRange)
            {
                return Errors.BadRequest($"to is after from, at most {MaxRange.TotalDays:0} days later.", "to");
            }

            var p = 1;
            var size = 100;
            if ((page is not null && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out p) || p < 1))
                || (pageSize is not null && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize)))
            {
                return Errors.BadRequest($"page >= 1, pageSize 1..{MaxPageSize}.", "page");
            }

            // Dates are stored as round-trip UTC strings ("O"): compared as text in the same form.
            var args = new { appId, from = Utc(start), to = Utc(end), size, offset = (long)(p - 1) * size };
            const string inRange = "(CreatedAt >= @from AND CreatedAt < @to) OR (UpdatedAt >= @from AND UpdatedAt < @to)";
            using var c = s.Db.Read();
            var total = c.ExecuteScalar<int>($"SELECT COUNT(*) FROM ({Union}) WHERE {inRange}", args);
            var rows = c.Query<Row>($"SELECT * FROM ({Union}) WHERE {inRange} ORDER BY Id LIMIT @size OFFSET @offset", args);
            return Results.Json(new IzlyOperationsPage(p, size, total, [.. rows.Select(r => r.ToWire())]));
        });
    }

    private static string Utc(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    // A date without an offset is taken as UTC.
    private static bool TryDate(string? text, out DateTimeOffset date) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date);

    private sealed class Row
    {
        public long Id { get; set; }
        public string ClientOrderId { get; set; } = "";
        public long Amount { get; set; }
        public int Status { get; set; }
        public string Means { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public string UpdatedAt { get; set; } = "";
        public string? RefundedAt { get; set; }

        public IzlyListedOperation ToWire() => new(Id.ToString(CultureInfo.InvariantCulture), ClientOrderId, Amount, Status, Means,
            Parse(CreatedAt), Parse(UpdatedAt), RefundedAt is null ? null : Parse(RefundedAt));

        private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
    }
}
