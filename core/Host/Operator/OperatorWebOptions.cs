namespace Middleware.Host.Operator;

/// <summary>Section <c>OperatorWeb</c>: the host's read-only web server for operators (status page, health, metrics).</summary>
public sealed class OperatorWebOptions
{
    public const string SectionName = "OperatorWeb";

    /// <summary>Off by default: appsettings.Production.json and run-sandbox.sh turn it on (tests start many hosts at once
    /// and would fight for one port).</summary>
    public bool Enabled { get; set; }

    /// <summary>Where it listens. Default <c>http://127.0.0.1:5090</c>. Port 0 takes a free port (tests). Any address
    /// other than loopback requires <c>https</c> and <see cref="CertificateFile"/>.</summary>
    public string Url { get; set; } = "http://127.0.0.1:5090";

    /// <summary>The access key every request must carry (created 0600 at first start, like the other keys; relative to
    /// the installation folder). Default <c>data/operator.key</c>.</summary>
    public string AccessKeyFile { get; set; } = "data/operator.key";

    /// <summary>A PKCS#12 (.pfx) or PEM certificate for https. Required when <see cref="Url"/> is https.</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>The PEM private key file (when <see cref="CertificateFile"/> is PEM), or a file holding the .pfx password.</summary>
    public string CertificateKeyFile { get; set; } = "";
}
