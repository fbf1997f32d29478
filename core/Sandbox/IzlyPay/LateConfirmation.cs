using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Middleware.Sandbox.Faults;

namespace Middleware.Sandbox.IzlyPay;

/// <summary>
/// The chaos fault "a late IzlyPay confirmation" (<see cref="FaultRule.LateConfirmationMs"/>): the customer's confirmation
/// is held, the web payment stays waiting (what the merchant's verification sees), and it is completed later, money taken
/// and callback sent, as when a customer confirms after the merchant gave up waiting.
/// </summary>
internal static class LateConfirmation
{
    /// <summary>True when this confirmation is held (a fault hit it now, or it already is): the customer is told to wait.</summary>
    public static bool TryHold(SandboxState s, WebPaymentRow row, string path, ILogger log)
    {
        if (s.Faults.HeldConfirmations.ContainsKey(row.Operation_Id))
        {
            return true;
        }

        if (!s.Faults.HasHandlerFault(r => r.LateConfirmationMs is not null)
            || s.Faults.TryHit(r => r.LateConfirmationMs is not null, HttpMethods.Post, path) is not { } hit)
        {
            return false;
        }

        var delay = TimeSpan.FromMilliseconds(hit.Rule.LateConfirmationMs!.Value);
        var now = s.Time.GetUtcNow();
        if (!s.Faults.HeldConfirmations.TryAdd(row.Operation_Id, now + delay))
        {
            return true;
        }

        var operationId = row.Operation_Id.ToString(CultureInfo.InvariantCulture);
        s.Faults.Record(new InjectedFault(InjectedFault.LateIzlyPayConfirmation, hit.Id, row.App_Id, row.Client_Order_Id, operationId, null, null, now, now + delay));
        log.LogInformation("Fault {RuleId}: confirmation of web payment {OperationId} held for {Delay}", hit.Id, operationId, delay);
        _ = CompleteLaterAsync(s, row.Operation_Id, delay, log);
        return true;
    }

    private static async Task CompleteLaterAsync(SandboxState s, long operationId, TimeSpan delay, ILogger log)
    {
        var stopping = s.Faults.Stopping;
        try
        {
            await Task.Delay(delay, s.Time, stopping);
            var now = s.Time.GetUtcNow();
            var final = await s.Db.WriteAsync((c, tx) =>
            {
                var row = c.QueryFirstOrDefault<WebPaymentRow>("SELECT * FROM web_payments WHERE operation_id=@operationId", new { operationId }, tx);
                return row is { Status: 0, Identifier: not null } ? IzlyPayEndpoints.Settle(c, tx, row, cancel: false, now) : row;
            }, stopping);
            s.Faults.HeldConfirmations.TryRemove(operationId, out _);
            log.LogInformation("Late confirmation of web payment {OperationId} reached Izly: status {Status}", operationId, final?.Status);
            if (final is { Status: 1, Callback_Url: { } url })
            {
                var status = await IzlyPayEndpoints.CallbackAsync(s, final, url, log, stopping);
                await s.Db.WriteAsync((c, tx) => c.Execute("UPDATE web_payments SET callback_status=@status WHERE operation_id=@operationId", new { status, operationId }, tx), stopping);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The sandbox stopped first: the customer never confirmed.
        }
        catch (Exception e)
        {
            // A background task: nobody awaits it, so the failure is told here.
            log.LogError(e, "Late confirmation of web payment {OperationId} failed", operationId);
        }
    }
}
