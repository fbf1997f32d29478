using System.Collections.Concurrent;
using Middleware.Contracts.Readers;
using Middleware.PluginHost;

namespace Middleware.Payments.Tests.Terminals;

/// <summary>
/// The host's readers as a sale sees them, with one payment terminal whose answers the test gives: each request waits
/// for the next answer the test queues (an outcome or an exception), so a test can hold the terminal "at the PIN".
/// </summary>
internal sealed class ScriptedTerminal : ICardReaders
{
    private readonly ConcurrentQueue<TaskCompletionSource<TerminalPaymentResult>> _waiting = new();
    private readonly ConcurrentQueue<Func<TerminalPaymentRequest, TerminalPaymentResult>> _answers = new();

    public ConcurrentQueue<(string Kind, TerminalPaymentRequest Request)> Requests { get; } = new();

    /// <summary>Answer the next request (or the one already waiting) with <paramref name="answer"/>.</summary>
    public void Answer(Func<TerminalPaymentRequest, TerminalPaymentResult> answer)
    {
        if (_waiting.TryDequeue(out var pending))
        {
            try
            {
                pending.SetResult(answer(Requests.Last().Request));
            }
            catch (Exception ex)
            {
                pending.SetException(ex);
            }

            return;
        }

        _answers.Enqueue(answer);
    }

    public void Accept(string? report = "AUTH 123456") => Answer(r => new TerminalPaymentResult(TerminalPaymentOutcome.Accepted, r.Amount, report));

    public void Outcome(TerminalPaymentOutcome outcome) => Answer(r => new TerminalPaymentResult(outcome, r.Amount, null));

    public void Fail(Exception ex) => Answer(_ => throw ex);

    public Task<IReadOnlyList<ReaderDescriptor>> GetReadersAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ReaderDescriptor>>([new ReaderDescriptor("Tetra 1", "terminal.tetra", [CardTechnology.Tetra], ReaderState.Empty)]);

    public Task<CardIdentity> ReadCardAsync(string readerName, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<TerminalPaymentResult> TakePaymentAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) => Ask("payment", request);

    public Task<TerminalPaymentResult> RefundAsync(TerminalPaymentRequest request, CancellationToken cancellationToken) => Ask("refund", request);

    private Task<TerminalPaymentResult> Ask(string kind, TerminalPaymentRequest request)
    {
        Requests.Enqueue((kind, request));
        if (_answers.TryDequeue(out var answer))
        {
            try
            {
                return Task.FromResult(answer(request));
            }
            catch (Exception ex)
            {
                return Task.FromException<TerminalPaymentResult>(ex);
            }
        }

        var waiting = new TaskCompletionSource<TerminalPaymentResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Enqueue(waiting);
        return waiting.Task;
    }
}
