using Middleware.Contracts.Readers;

namespace Middleware.Tetra.Tests.Support;

/// <summary>A serial link service with one in-memory line, or none (every open fails as a missing device does).</summary>
internal sealed class InMemoryLinkProvider(InMemoryLine? line) : ISerialLinkProvider
{
    public List<(string Path, SerialLinkSettings Settings)> Opened { get; } = [];

    public IReadOnlyList<string> ListPorts() => [];

    public Task<Stream> OpenAsync(string path, SerialLinkSettings settings, CancellationToken cancellationToken)
    {
        Opened.Add((path, settings));
        return line is null ? throw new IOException($"No such device: {path}") : Task.FromResult<Stream>(line.Till);
    }
}
