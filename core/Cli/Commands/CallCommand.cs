using System.CommandLine;
using System.Text.Json;

namespace Middleware.Cli.Commands;

/// <summary><c>mwctl call &lt;method&gt; [json-params]</c>: any method, answer printed as JSON.</summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var method = new Argument<string>("method") { Description = "Method name, e.g. readers.list" };
        var parameters = new Argument<string?>("json-params") { Description = "Named parameters as a JSON object, e.g. {\"a\":1}", Arity = ArgumentArity.ZeroOrOne };
        var mutating = new Option<bool>("--mutating") { Description = "Add a requestId (new UUID, or --request-id) and retry with it after a timeout" };
        var requestId = new Option<Guid?>("--request-id") { Description = "Request id for a mutating call (implies --mutating)" };
        var noHello = new Option<bool>("--no-hello") { Description = "Do not say hello first" };
        var command = new Command("call", "Call any method and print the JSON answer") { method, parameters, mutating, requestId, noHello };
        command.SetAction(async (parse, ct) =>
        {
            JsonElement? args = null;
            if (parse.GetValue(parameters) is { Length: > 0 } text)
            {
                try
                {
                    using var document = JsonDocument.Parse(text);
                    args = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"Paramètres JSON invalides : {ex.Message}");
                    return 1;
                }
            }

            return await CliOptions.RunAsync(parse, !parse.GetValue(noHello), async client =>
            {
                var name = parse.GetValue(method)!;
                var id = parse.GetValue(requestId);
                var result = parse.GetValue(mutating) || id is not null
                    ? await client.CallMutatingAsync(name, args, id, ct)
                    : await client.CallAsync(name, args, ct);
                await CliOptions.PrintAsync(parse, result);
            }, ct);
        });
        return command;
    }
}
