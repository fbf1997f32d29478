namespace Middleware.Pipe.Tests.Protocol;

/// <summary>Issue 16: a till developer copies PROTOCOL.md's examples, and a request id that is not a UUID is refused
/// (1003). Every request id of every JSON example (a call's <c>requestId</c>, the <c>paymentRequestId</c> and
/// <c>ticketRequestId</c> that name one, and those answers carry) must be a UUID.</summary>
public sealed class ExampleRequestIdTests
{
    [Fact]
    public void Every_request_id_of_a_json_example_is_a_uuid()
    {
        var ids = ProtocolExamples.All
            .SelectMany(e => ProtocolExamples.Properties(e.Message, name => name is "requestId" or "paymentRequestId" or "ticketRequestId")
                .Select(value => (e.Line, Value: value?.ToJsonString() ?? "null")))
            .ToList();

        // The examples of sale.pay, payment.*, outbox.*, whiz.update... hold far more than this: the reader found them.
        Assert.True(ids.Count >= 25, $"only {ids.Count} request ids found in PROTOCOL.md's examples");
        var bad = ids.Where(id => id.Value.Length < 2 || id.Value[0] != '"' || !Guid.TryParseExact(id.Value[1..^1], "D", out _)).ToList();
        Assert.True(bad.Count == 0, "Request ids that are not UUIDs (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx): " + string.Join(", ", bad.Select(b => $"line {b.Line}: {b.Value}")));
    }
}
