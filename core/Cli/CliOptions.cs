using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Middleware.Client;

namespace Middleware.Cli;

/// <summary>Options every subcommand shares, and the helpers to connect and print.</summary>
internal static class CliOptions
{
    public static readonly Option<string> Pipe = new("--pipe")
    {
        Description = "Pipe name (Linux: <name>.sock in $XDG_RUNTIME_DIR/izly-middleware, $RUNTIME_DIRECTORY or /run/izly-middleware) or absolute socket path",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MWCTL_PIPE") ?? "izly-middleware",
        Recursive = true,
    };

    public static readonly Option<string?> PointOfSale = new("--pos")
    {
        Description = "Point of sale for hello (idCrous-idUg-idRu-idUd-idCaisse); default $MWCTL_POS or 1-1-1-1-1",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MWCTL_POS") ?? "1-1-1-1-1",
        Recursive = true,
    };

    public static readonly Option<double> Timeout = new("--timeout")
    {
        Description = "Seconds to wait for the pipe and for each answer",
        DefaultValueFactory = _ => 30,
        Recursive = true,
    };

    // camelCase: what mwctl prints reads like the protocol's own JSON, whether it comes from a typed answer or not.
    public static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void AddTo(RootCommand root)
    {
        root.Add(Pipe);
        root.Add(PointOfSale);
        root.Add(Timeout);
    }

    public static Task<MiddlewareClient> ConnectAsync(ParseResult parse, bool hello, CancellationToken cancellationToken) =>
        ConnectAsync(parse, hello ? parse.GetValue(PointOfSale) : null, cancellationToken);

    /// <summary>Connects and says hello as <paramref name="pointOfSale"/> (null: no hello), whatever --pos says.</summary>
    public static Task<MiddlewareClient> ConnectAsync(ParseResult parse, string? pointOfSale, CancellationToken cancellationToken) =>
        MiddlewareClient.ConnectAsync(new MiddlewareClientOptions
        {
            PipeName = parse.GetValue(Pipe)!,
            PointOfSale = pointOfSale,
            TillName = "mwctl",
            ConnectTimeout = TimeSpan.FromSeconds(parse.GetValue(Timeout)),
            CallTimeout = TimeSpan.FromSeconds(parse.GetValue(Timeout)),
        }, cancellationToken);

    /// <summary>Runs <paramref name="action"/> with a connected client; errors print the code and the French message
    /// on stderr and give a non-zero exit code (2 for a middleware error, 3 for a connection problem).</summary>
    public static Task<int> RunAsync(ParseResult parse, bool hello, Func<MiddlewareClient, Task> action, CancellationToken cancellationToken) =>
        RunAsync(parse, hello, async client =>
        {
            await action(client);
            return 0;
        }, cancellationToken);

    /// <inheritdoc cref="RunAsync(ParseResult, bool, Func{MiddlewareClient, Task}, CancellationToken)"/>
    /// <remarks>The action chooses the exit code when the call itself went through.</remarks>
    public static async Task<int> RunAsync(ParseResult parse, bool hello, Func<MiddlewareClient, Task<int>> action, CancellationToken cancellationToken)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            await using var client = await ConnectAsync(parse, hello, cancellationToken);
            return await action(client);
        }
        catch (MiddlewareRpcException ex)
        {
            await error.WriteLineAsync($"Erreur {ex.Code} : {ex.CashierMessage}");
            if (ex.Detail is not null)
            {
                await error.WriteLineAsync($"Detail: {ex.Detail}");
            }

            if (ex.Payload is { } payload)
            {
                await error.WriteLineAsync($"Payload: {payload.GetRawText()}");
            }

            return 2;
        }
        catch (Exception ex) when (ex is MiddlewareConnectionException or TimeoutException)
        {
            await error.WriteLineAsync($"Connexion au middleware impossible : {ex.Message}");
            return 3;
        }
    }

    public static Task PrintAsync(ParseResult parse, object? value) =>
        parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(value, Pretty));
}
