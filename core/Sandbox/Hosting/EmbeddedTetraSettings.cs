namespace Middleware.Sandbox.Hosting;

/// <summary>The embedded sandbox's simulated Tetra (configuration section <c>Sandbox:Tetra</c>), for demos: a socat
/// pseudo-terminal pair whose host end a Tetra plugin opens as it would open /dev/ttyACM0.</summary>
public sealed class EmbeddedTetraSettings
{
    /// <summary>The default <see cref="Directory"/>, relative to the installation folder.</summary>
    public const string DefaultDirectory = "run/tetra";

    /// <summary>Start the simulated Tetra with the sandbox (needs socat). Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the pty links go: <c>tetra</c> (the end the host's plugin opens) and <c>tetra-sim</c>. The host
    /// resolves a relative folder against the installation folder. Default <c>run/tetra</c>.</summary>
    public string Directory { get; set; } = DefaultDirectory;
}
