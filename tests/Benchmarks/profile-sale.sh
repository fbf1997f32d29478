#!/usr/bin/env bash
# Profiles the host during the sale benchmark's measured phase (README, "Where a sale's time goes").
#   bash tests/Benchmarks/profile-sale.sh cpu        on-CPU samples with perf (native frames, GC, kernel, managed names)
#   bash tests/Benchmarks/profile-sale.sh alloc      allocated bytes by type and stack, objects finalized (dotnet-trace)
#   bash tests/Benchmarks/profile-sale.sh threadtime dotnet-trace's dotnet-sampled-thread-time profile, top frames
# Options after the mode go to sale-load (e.g. --tills 8, --host-env=DOTNET_gcServer=1). Output in $OUT (default
# /tmp/mw-profile): the raw profile and a text report. Needs perf (cpu) or the dotnet-trace tool (installed here into
# $OUT/tools if missing: dotnet tool install --tool-path).
set -euo pipefail
mode=${1:-cpu}; shift || true
here=$(cd "$(dirname "$0")/../.." && pwd)
out=${OUT:-/tmp/mw-profile}; mkdir -p "$out"
sales=${SALES:-6000}; warmup=${WARMUP:-1500}; seconds=${SECONDS_PROFILED:-20}
trace=$(command -v dotnet-trace || true)
if [[ $mode != cpu && -z $trace ]]; then
  [[ -x $out/tools/dotnet-trace ]] || dotnet tool install --tool-path "$out/tools" dotnet-trace >/dev/null
  trace=$out/tools/dotnet-trace
fi
extra=()
[[ $mode == cpu ]] && extra=(--host-env=DOTNET_PerfMapEnabled=1 --host-env=DOTNET_EnableWriteXorExecute=0)
dotnet build "$here/tests/Benchmarks" -c Release -nologo -v q >/dev/null
dotnet run -c Release --no-build --project "$here/tests/Benchmarks" -- sale-load "$sales" "$warmup" "${extra[@]}" "$@" > "$out/sale-load.txt" 2>&1 &
load=$!
pid=
for _ in $(seq 1 300); do
  pid=$(grep -o 'host pid [0-9]*' "$out/sale-load.txt" | awk '{print $3}' || true)
  [[ -n $pid ]] && break; sleep 1
done
[[ -n $pid ]] || { echo "sale-load did not start the host: $out/sale-load.txt"; exit 1; }
# Into the measured phase: the warm-up sales take about warm-up x 8 ms, plus the host's start.
sleep $(( warmup * 8 / 1000 + 10 ))
case $mode in
  cpu)
    perf record -F 1999 -g -p "$pid" -o "$out/host.perf" -- sleep "$seconds" >/dev/null 2>&1
    wait $load
    perf report -i "$out/host.perf" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' > "$out/report-dso.txt" || true
    perf report -i "$out/host.perf" --children --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -120 > "$out/report-inclusive.txt" || true
    perf report -i "$out/host.perf" --no-children --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -60 > "$out/report-self.txt" || true
    echo "== by library (self)"; head -12 "$out/report-dso.txt"
    echo "== top frames, inclusive"; head -60 "$out/report-inclusive.txt" | cut -c1-200 ;;
  alloc)
    "$trace" collect -p "$pid" --providers "Microsoft-Windows-DotNETRuntime:0x41080001:5" --duration "00:00:00:$seconds" -o "$out/host-gc.nettrace" >/dev/null
    wait $load
    dotnet run -c Release --no-build --project "$here/tests/Benchmarks" -- trace-report "$out/host-gc.nettrace" 30 | tee "$out/report-alloc.txt" | cut -c1-220 ;;
  threadtime)
    "$trace" collect -p "$pid" --profile dotnet-sampled-thread-time --duration "00:00:00:$seconds" -o "$out/host-threadtime.nettrace" >/dev/null
    wait $load
    "$trace" report "$out/host-threadtime.nettrace" topN -n 40 --inclusive | tee "$out/report-threadtime.txt" ;;
  *) echo "mode: cpu | alloc | threadtime"; exit 2 ;;
esac
grep -E 'middleware.s own share|CPU per sale|allocation budget' "$out/sale-load.txt" | head -4
