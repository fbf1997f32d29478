namespace Middleware.Host.Tests.Security;

/// <summary>A fresh installation folder (empty plugins.json) and the host arguments that put every file of the host
/// in it: stores under data/ (the defaults), logs under logs/, the socket under run/, the sandbox on a free port.</summary>
internal sealed class InstallationFolder
{
    public const string PointOfSale = "5-1-9-8-14";

    public InstallationFolder(string? parent = null)
    {
        Root = Path.Combine(parent ?? Path.Combine(Path.GetTempPath(), "mw-host-tests"), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "plugins.json"), """{ "plugins": [] }""");
        // The shipped settings, for a host built in-process with this folder as its content root.
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(Root, "appsettings.json"));
        PipeName = "mwp-" + Guid.NewGuid().ToString("N")[..10];
    }

    public string Root { get; }

    public string PipeName { get; }

    public string SocketDirectory => Path.Combine(Root, "run");

    public string SocketPath => Path.Combine(SocketDirectory, PipeName + ".sock");

    public List<string> Arguments(params string[] more)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var url = $"http://127.0.0.1:{port}";
        return
        [
            // The embedded sandbox is refused in Production (the default environment): tests are Development.
            $"--PluginsFile={Path.Combine(Root, "plugins.json")}", "--Host:Mode=console", "--environment=Development",
            $"--Pipe:PipeName={PipeName}", $"--Pipe:SocketDirectory={SocketDirectory}",
            $"--Sandbox:Port={port}", $"--CrousApis:Vem:BaseUrl={url}", $"--CrousApis:Izly:BaseUrl={url}",
            // The shipped appsettings.json's file sink is WriteTo:1; its relative path would land beside the executable.
            $"--Serilog:WriteTo:1:Args:path={Path.Combine(Root, "logs", "middleware-.log")}",
            // The virtual readers belong to the PC/SC tests (PcscTestLock): a host watching them would read their cards.
            "--CardReaders:Enabled=false",
            // The shipped point of sale's script site is checked at start: the repository's scripts serve it.
            $"--Scripting:ScriptsRoot={Path.Combine(SaleHost.RepositoryRoot(), "scripts")}",
            .. more,
        ];
    }
}
