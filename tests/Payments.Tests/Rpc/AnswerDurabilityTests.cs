using System.Reflection;
using Middleware.Domain.Rpc;
using Middleware.Payments.Rpc;

namespace Middleware.Payments.Tests.Rpc;

/// <summary>
/// Which till answers may be kept without a disk sync (core/Pipe/PROTOCOL.md, section 3): the edits of an open sale,
/// whose own writes are synchronous=NORMAL too, and <c>sale.pay</c>, whose payment intent and ticket are on disk and keyed
/// by its request id before it answers (a retry after a power cut finds them). The other methods that move money or
/// commit a ticket keep their answer on disk before the till hears it.
/// </summary>
public sealed class AnswerDurabilityTests
{
    private static readonly string[] RunAgainSafely =
        ["sale.cancel", "sale.identifyCard", "sale.identifyQr", "sale.open", "sale.pay", "sale.setBasket", "sale.setProfile"];

    [Fact]
    public void Only_the_sale_methods_that_run_again_to_the_same_outcome_are_answered_at_process_crash_durability()
    {
        var mutating = MutatingMethods(typeof(SaleMethods).Assembly, typeof(Middleware.Tickets.ITicketService).Assembly);

        var processCrash = mutating.Where(m => m.Durability == AnswerDurability.ProcessCrash).Select(m => m.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(RunAgainSafely, processCrash);
        foreach (var moneyOrTicket in new[] { "izlypay.start", "payment.cancel", "sale.retryTicket", "outbox.replay" })
        {
            Assert.Equal(AnswerDurability.PowerCut, Assert.Single(mutating, m => m.Name == moneyOrTicket).Durability);
        }

        // Security issue #18: a till never commits a ticket of its own; sale.pay builds it from a priced, paid sale.
        Assert.DoesNotContain(mutating, m => m.Name == "tickets.submit");
    }

    private static List<(string Name, AnswerDurability Durability)> MutatingMethods(params Assembly[] assemblies) =>
        assemblies.SelectMany(a => a.GetTypes())
            .Where(t => typeof(IRpcTarget).IsAssignableFrom(t))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(m => m.GetCustomAttribute<RpcMethodAttribute>())
            .Where(a => a is { Mutating: true })
            .Select(a => (a!.Name, a.Durability))
            .ToList();
}
