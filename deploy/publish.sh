#!/usr/bin/env bash
# Produces the INSTALL LAYOUT of the middleware in one folder, what deploy/linux/install.sh (or
# deploy/windows/install-service.ps1) copies to a site machine:
#   bin/                  the host (Middleware.Host), mwctl and izly-vcard
#   plugins/<Name>/bin/   each plugin of plugins/, where plugins.json points
#   scripts/              the shipped pricing/mapping scripts
#   data/ logs/           empty, 0700 (the host's stores and logs)
#   plugins.json appsettings.json appsettings.Production.json VERSION
# Usage: bash deploy/publish.sh [--rid linux-x64|win-x64] [--framework-dependent] [--version TEXT] [--out DIR]
#   --rid                  default linux-x64; self-contained (no .NET needed on the site) unless --framework-dependent
#   --framework-dependent  smaller, and reuses the Release build; the site then needs the .NET 10 runtime (and the
#                          win-x64 layout then has no Middleware.Host.exe: build it on Windows or publish self-contained)
#   --version              written to VERSION; default the project version and the git commit
#   --out                  default .artifacts/publish/<rid>; emptied first
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rid=linux-x64 selfcontained=true version="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rid="$2"; shift 2 ;;
    --framework-dependent) selfcontained=false; shift ;;
    --version) version="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "publish.sh: unknown argument $1 (--rid, --framework-dependent, --version, --out)" >&2; exit 2 ;;
  esac
done
case "$rid" in linux-x64|win-x64) ;; *) echo "publish.sh: --rid must be linux-x64 or win-x64" >&2; exit 2 ;; esac
out="${out:-$repo/.artifacts/publish/$rid}"
if [ -z "$version" ]; then
  version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -1)"
  commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || true)"
  [ -n "$commit" ] && version="$version+$commit"
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The output folder is emptied: refuse anything that is not clearly ours.
case "$out" in ""|/|"$HOME"|"$repo") echo "publish.sh: refusing --out $out" >&2; exit 2 ;; esac
rm -rf "$out"
mkdir -p "$out/bin" "$out/plugins"

# The three executables share bin/ (central package versions: their common assemblies are the same files).
# Self-contained: the publish profile (core/*/Properties/PublishProfiles/<rid>.pubxml), a build of its own for that
# runtime. Framework-dependent: the portable Release build (what `dotnet build -c Release` made), copied, not rebuilt.
for project in core/Host core/Cli core/VirtualCards.Tool; do
  echo "== publish $project ($rid, self-contained: $selfcontained) [${SECONDS}s]"
  if [ "$selfcontained" = true ]; then
    dotnet publish "$repo/$project" -c Release -p:PublishProfile="$rid" -o "$out/bin" -nologo -v q
  else
    dotnet publish "$repo/$project" -c Release -o "$out/bin" -nologo -v q
  fi
done

echo "== build the plugins [${SECONDS}s]"
dotnet build "$repo/deploy/plugins.proj" -nologo -v q
for csproj in "$repo"/plugins/*/*.csproj; do
  name="$(basename "$(dirname "$csproj")")"
  built="$repo/.artifacts/${MW_SLOT:-}/bin/$(basename "$csproj" .csproj)/release"
  [ -d "$built" ] || built="$repo/.artifacts/bin/$(basename "$csproj" .csproj)/release"
  [ -d "$built" ] || { echo "publish.sh: no build output for $csproj" >&2; exit 1; }
  mkdir -p "$out/plugins/$name/bin"
  # As plugins/Directory.Build.targets deploys them: everything but debug symbols.
  cp -a "$built/." "$out/plugins/$name/bin/"
  find "$out/plugins/$name/bin" -name '*.pdb' -delete
done

echo "== settings, scripts, VERSION [${SECONDS}s]"
# The settings live beside plugins.json, not in bin/: an upgrade replaces bin/ and keeps appsettings.Production.json.
mv "$out/bin/appsettings.json" "$out/bin/appsettings.Production.json" "$out/"
cp "$repo/plugins.json" "$out/plugins.json"
cp -r "$repo/scripts" "$out/scripts"
mkdir -m 0700 "$out/data" "$out/logs"
printf '%s\n' "$version" > "$out/VERSION"
echo "== $out ($version, $(du -sh "$out" | cut -f1), ${SECONDS}s)"
