using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Middleware.Sandbox.Tests.IzlyPay;

/// <summary>A real HTTP listener standing for the merchant: receives the IzlyPay callback and the browser's return.</summary>
internal sealed class MerchantListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<JsonElement> _callback = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MerchantListener(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }
    public Uri CallbackUrl => new(Url, "izly/callback");
    public Uri ReturnUrl => new(Url, "done");
    public ConcurrentQueue<JsonElement> Callbacks { get; } = new();

    public Task<JsonElement> FirstCallback => _callback.Task;

    public static async Task<MerchantListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        MerchantListener? self = null;
        app.MapPost("/izly/callback", async (HttpContext ctx) =>
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            var body = doc.RootElement.Clone();
            self!.Callbacks.Enqueue(body);
            self._callback.TrySetResult(body);
            return Results.Ok();
        });
        app.MapGet("/done", () => Results.Content("<html><body><p id=\"thanks\">Merci</p></body></html>", "text/html"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new MerchantListener(app, new Uri(address.TrimEnd('/') + "/"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
