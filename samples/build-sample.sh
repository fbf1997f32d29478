#!/usr/bin/env bash
# Builds a plugin the way a vendor does, outside the solution, from packed packages (issue 13):
#  1. packs the contract and the SDK into the feed folder (sdk/pack.sh),
#  2. packs the templates (templates/Middleware.Plugins.Templates.csproj) into the feed and installs that package into a
#     private template hive, not the machine's,
#  3. generates a fresh plugin with `dotnet new izly-reader -n Acme.FreshReader` (and a channel with izly-channel),
#  4. builds it and the committed sample samples/Acme.ClassicReader against the feed, checks that each plugin's output
#     folder has the plugin's dll and neither the contract's nor the SDK's, and runs their unit tests.
# Offline: the middleware's packages come from the feed, every other package from this machine's NuGet cache (used as
# a read-only source); restores go to a private package folder, so a fresh pack is never hidden by an older 2.1.0.
# MW_SAMPLE_ONLINE=1 restores with each project's own nuget.config instead (the feed and nuget.org, as a vendor does).
# usage: samples/build-sample.sh        exit status 0 when everything passed
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$SECONDS
step() { echo "== [$((SECONDS - start)) s] $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mw-sample.XXXXXX")
trap 'rm -rf "$work"' EXIT
feed=$root/.artifacts/feed
machine_cache=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')
export NUGET_PACKAGES=$root/.artifacts/sample/packages
mkdir -p "$NUGET_PACKAGES"
# Only the middleware's packages are rebuilt under an unchanged version: forget the copies of an earlier run.
rm -rf "$NUGET_PACKAGES"/middleware.contracts "$NUGET_PACKAGES"/middleware.plugins.sdk "$NUGET_PACKAGES"/middleware.plugins.testing

step "pack contract and SDK into $feed"
bash sdk/pack.sh "$feed"

cat > "$work/offline.nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="middleware" value="$feed" />
    <add key="machine-cache" value="$machine_cache" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="middleware"><package pattern="Middleware.*" /></packageSource>
    <packageSource key="machine-cache"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML

step "pack the templates and install them into a private hive"
dotnet pack templates/Middleware.Plugins.Templates.csproj -c Release -nologo -v q -o "$feed"
hive=$work/hive
dotnet new install "$feed/Middleware.Plugins.Templates.2.1.0.nupkg" --debug:custom-hive "$hive"

step "dotnet new izly-reader -n Acme.FreshReader; dotnet new izly-channel -n Acme.FreshChannel"
(cd "$work" && dotnet new izly-reader -n Acme.FreshReader --feed "$feed" --debug:custom-hive "$hive")
(cd "$work" && dotnet new izly-channel -n Acme.FreshChannel --feed "$feed" --debug:custom-hive "$hive")

# The committed sample is what the template makes: regenerate it when a template changes.
step "check samples/Acme.ClassicReader is what izly-reader generates"
(cd "$work" && dotnet new izly-reader -n Acme.ClassicReader -o regenerated --pluginId reader.acme-classic --feed ../../.artifacts/feed --debug:custom-hive "$hive" >/dev/null)
if ! diff -r -x bin -x obj "$work/regenerated" samples/Acme.ClassicReader; then
  echo "FAIL: samples/Acme.ClassicReader differs from the template; regenerate it with:"
  echo "  dotnet new izly-reader -n Acme.ClassicReader -o samples/Acme.ClassicReader --pluginId reader.acme-classic --feed ../../.artifacts/feed --force"
  exit 1
fi

# build_and_test <solution folder> <plugin project name>
build_and_test() {
  local dir=$1 name=$2
  # From clean: a file left by an earlier build must not hide (or fake) what this one puts in the plugin's folder.
  rm -rf "$dir"/src/*/bin "$dir"/src/*/obj "$dir"/tests/*/bin "$dir"/tests/*/obj
  step "restore $name"
  if [ "${MW_SAMPLE_ONLINE:-0}" = 1 ]; then
    dotnet restore "$dir" -v q
  else
    dotnet restore "$dir" -v q --configfile "$work/offline.nuget.config"
  fi
  step "build $name"
  dotnet build "$dir" -c Release --no-restore -nologo -v q
  local out=$dir/src/$name/bin/Release/net10.0
  step "check $out"
  [ -f "$out/$name.dll" ] || { echo "FAIL: $out/$name.dll is missing"; return 1; }
  local shared
  shared=$(find "$out" -name 'Middleware.Contracts.dll' -o -name 'Middleware.Plugins.Sdk.dll' -o -name 'Middleware.Plugins.Testing.dll')
  if [ -n "$shared" ]; then echo "FAIL: the host's assemblies were copied into the plugin's folder: $shared"; return 1; fi
  echo "plugin folder: $(cd "$out" && ls | tr '\n' ' ')"
  if [ -d "$dir/tests" ]; then
    step "test $name"
    dotnet test "$dir" -c Release --no-build -nologo -v q --logger "console;verbosity=detailed" # the conformance kit's table shows in the log
  fi
}

build_and_test "$work/Acme.FreshReader" Acme.FreshReader
build_and_test "$work/Acme.FreshChannel" Acme.FreshChannel
build_and_test "$root/samples/Acme.ClassicReader" Acme.ClassicReader
step "all done: fresh reader, fresh channel and committed sample built, checked and tested"
