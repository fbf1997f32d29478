using System.Net;
using Microsoft.Extensions.Options;

namespace Middleware.Host.Operator;

/// <summary>The server's address is an absolute http(s) URL; plain http only on loopback, https with a certificate file.</summary>
internal sealed class OperatorWebOptionsValidator : IValidateOptions<OperatorWebOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorWebOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/")
        {
            return ValidateOptionsResult.Fail($"OperatorWeb:Url '{options.Url}' is not an address such as http://127.0.0.1:5090 (http or https, no path).");
        }

        var errors = new List<string>();
        if (url.Scheme == "http" && !IsLoopback(url))
        {
            errors.Add($"OperatorWeb:Url '{options.Url}' is plain http on an address other than loopback: use https with OperatorWeb:CertificateFile, or 127.0.0.1.");
        }

        if (url.Scheme == "https" && string.IsNullOrWhiteSpace(options.CertificateFile))
        {
            errors.Add($"OperatorWeb:Url '{options.Url}' is https: OperatorWeb:CertificateFile must name a .pfx or PEM certificate.");
        }

        if (!string.IsNullOrWhiteSpace(options.CertificateFile) && !File.Exists(options.CertificateFile))
        {
            errors.Add($"OperatorWeb:CertificateFile '{options.CertificateFile}' does not exist.");
        }

        if (string.IsNullOrWhiteSpace(options.AccessKeyFile))
        {
            errors.Add("OperatorWeb:AccessKeyFile is empty: the pages need an access key.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsLoopback(Uri url) =>
        url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
