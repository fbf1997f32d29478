#!/usr/bin/env bash
# Packs the plugin contract (Middleware.Contracts), the SDK (Middleware.Plugins.Sdk) and the conformance kit
# (Middleware.Plugins.Testing) into a folder feed that
# plugin projects restore from (their nuget.config names it).   usage: sdk/pack.sh [feed-dir]   (default .artifacts/feed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
feed=${1:-$root/.artifacts/feed}
mkdir -p "$feed"
feed=$(cd "$feed" && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in core/Contracts core/Sdk core/Sdk.Testing; do
  dotnet pack "$root/$project" -c Release -nologo -v q -o "$feed"
done
ls -1 "$feed"/Middleware.Contracts.*.nupkg "$feed"/Middleware.Plugins.Sdk.*.nupkg "$feed"/Middleware.Plugins.Testing.*.nupkg
