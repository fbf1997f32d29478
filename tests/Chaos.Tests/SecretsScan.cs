using System.Text.Json;

namespace Middleware.Chaos.Tests;

/// <summary>
/// Reads every log the host wrote during a run (its Serilog files and its console) and looks for what must never be
/// logged: installation keys, Izly keys, the OAuth secret, access tokens, customer passwords and full card numbers.
/// </summary>
internal static class SecretsScan
{
    public static IReadOnlyList<string> Find(string root, JsonElement seed)
    {
        var secrets = new List<(string Kind, string Value)>();
        foreach (var p in seed.GetProperty("pointsOfSale").EnumerateArray())
        {
            secrets.Add(("installation key", p.GetProperty("installationKey").GetString()!));
            secrets.Add(("Izly key", p.GetProperty("cleIzly").GetString()!));
        }

        secrets.Add(("OAuth client secret", seed.GetProperty("oauth").GetProperty("clientSecret").GetString()!));
        foreach (var h in seed.GetProperty("rightHolders").EnumerateArray())
        {
            secrets.Add(("customer password", h.GetProperty("password").GetString()!));
            foreach (var c in h.GetProperty("cards").EnumerateArray())
            {
                secrets.Add(("full card number", c.GetProperty("idSupport").GetString()!));
            }
        }

        var distinct = secrets.DistinctBy(s => s.Value).ToList();
        var files = Directory.EnumerateFiles(root, "host-*.out").Concat(Directory.Exists(Path.Combine(root, "logs"))
            ? Directory.EnumerateFiles(Path.Combine(root, "logs"), "*", SearchOption.AllDirectories) : []);
        var found = new List<string>();
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                foreach (var (kind, value) in distinct)
                {
                    if (line.Contains(value, StringComparison.Ordinal))
                    {
                        found.Add($"{kind} in {Path.GetFileName(file)}:{number}");
                    }
                }

                // A bearer token written out (the Authorization header or a token endpoint's answer).
                if (line.Contains("Bearer ey", StringComparison.Ordinal) || line.Contains("\"access_token\":\"", StringComparison.Ordinal))
                {
                    found.Add($"access token in {Path.GetFileName(file)}:{number}");
                }
            }
        }

        return found;
    }
}
