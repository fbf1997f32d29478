#!/usr/bin/env bash
# Issue #18's attacks, re-run against the BUILT host (its own process, embedded sandbox), with figures. Not run by CI.
#
#   bash tests/security/attack-rerun.sh            # needs .artifacts/bin/Middleware.Host/release (dotnet build tests/Host.Tests -c Release)
#                                                  # and the Echo test plugin (dotnet build tests/PluginHost.Tests -c Release)
#
# It makes a fresh installation folder under $TMPDIR (plugins.json with the Echo test plugin, a copy of scripts/ plus
# four attack sites), starts the host there under umask 022 on a free sandbox port, its socket in <installation>/run
# and its logs in <installation>/logs, then, as a till on the raw Unix socket (python3, no client library):
#   1. scripts: the 28-doubling script, a 1 GiB array, a 1 GiB string and a catastrophic regex as the pricing scripts
#      of four extra points of sale (sale.open then sale.setBasket): wall time, the error the till gets, host RSS before/peak;
#   2. CPU of the host (utime+stime from /proc/<pid>/stat) for one 256 KiB line in one write and in 1-byte writes;
#   3. 300 connections that never say hello, then a till's hello + ping (latency) and how many of the 300 the host closed;
#   4. 10,000 pings with one JSON-RPC id pipelined at once: the answers by code and the log lines written;
#   5. a client that pipelines up to 500,000 pings over 60 s and never reads: host RSS before/peak/after, when the
#      sender was stalled or disconnected, and another till's ping latency meanwhile;
#   5b. 50 such clients at once (MW_RERUN_NONREADERS): host RSS, another till's ping, when the host drops them;
#   6. `stat -c '%a %U %n'` of every file and folder the host created in the installation (while it runs).
# MW_RERUN_HOST_ARGS adds host arguments (e.g. --Scripting:MaxStringLength=2147483647 leaves only the memory budget
# to stop the doubling script). Figures go to stdout and to <installation>/report.txt; the folder is kept (its path is printed) unless KEEP=0.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
host_dll="$repo/.artifacts/bin/Middleware.Host/release/Middleware.Host.dll"
echo_plugin="$repo/.artifacts/bin/TestPlugin.EchoV1/release"
[ -f "$host_dll" ] || { echo "build the host first: dotnet build tests/Host.Tests -c Release" >&2; exit 2; }
[ -d "$echo_plugin" ] || { echo "build the Echo test plugin first: dotnet build tests/PluginHost.Tests -c Release" >&2; exit 2; }

inst=$(mktemp -d "${TMPDIR:-/tmp}/mw-attack-rerun.XXXXXX")
mkdir -p "$inst/plugins/echo"
cp -r "$echo_plugin/." "$inst/plugins/echo/"
cp -r "$repo/scripts" "$inst/scripts"
cat > "$inst/plugins.json" <<'JSON'
{ "plugins": [ { "id": "test.echo", "folder": "plugins/echo", "assembly": "TestPlugin.Echo.dll", "enabled": true, "settings": {} } ] }
JSON
# The three attacks of issue #18's item 5 as pricing scripts of their own sites.
mkdir -p "$inst/scripts/sites/attack/doubling" "$inst/scripts/sites/attack/alloc" "$inst/scripts/sites/attack/regex" "$inst/scripts/sites/attack/alloc-string"
printf 'var s = "x";\nfor (var i = 0; i < 28; i++) { s = s + s; }\nLog(s.Length.ToString());\nforeach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, 1m); }\n' > "$inst/scripts/sites/attack/doubling/pricing.csx"
printf 'var big = new byte[1024 * 1024 * 1024];\nLog(big.Length.ToString());\nforeach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, 1m); }\n' > "$inst/scripts/sites/attack/alloc/pricing.csx"
printf 'var big = new string((char)120, 1024 * 1024 * 1024);\nLog(big.Length.ToString());\nforeach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, 1m); }\n' > "$inst/scripts/sites/attack/alloc-string/pricing.csx"
printf 'var ok = System.Text.RegularExpressions.Regex.IsMatch(new string((char)97, 40) + "!", "^(a+)+$");\nLog(ok.ToString());\nforeach (var l in Basket.Lines) { Add(l.CodeArticle, l.Quantity, 1m); }\n' > "$inst/scripts/sites/attack/regex/pricing.csx"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
# The default till watches no real reader: a virtual card another test puts on pcscd is not this run's business.
pos_args=("--PointsOfSale:0:Readers:0=attack-rerun (no reader)")
i=1
for pair in "5-1-9-8-15 attack/doubling" "5-1-9-8-16 attack/alloc" "5-1-9-8-17 attack/regex" "5-1-9-8-18 attack/alloc-string"; do
  set -- $pair
  pos_args+=("--PointsOfSale:$i:Id=$1" "--PointsOfSale:$i:Label=attack $2" "--PointsOfSale:$i:TimeZone=Europe/Paris" "--PointsOfSale:$i:ScriptSite=$2")
  i=$((i + 1))
done

# Development: the embedded sandbox is refused in Production (the default environment).
( umask 022; unset XDG_RUNTIME_DIR RUNTIME_DIRECTORY; export DOTNET_ENVIRONMENT=Development; exec dotnet "$host_dll" \
    "--PluginsFile=$inst/plugins.json" --Host:Mode=console --Pipe:PipeName=mw-rerun "--Pipe:SocketDirectory=$inst/run" \
    "--Sandbox:Port=$port" "--CrousApis:Vem:BaseUrl=$url" "--CrousApis:Izly:BaseUrl=$url" \
    "--Serilog:WriteTo:1:Args:path=$inst/logs/middleware-.log" "${pos_args[@]}" ${MW_RERUN_HOST_ARGS:-} ) > "$inst/host.out" 2>&1 &
hostpid=$!
cleanup() { kill "$hostpid" 2>/dev/null || true; wait "$hostpid" 2>/dev/null || true; [ "${KEEP:-1}" = "0" ] && rm -rf "$inst"; return 0; }
trap cleanup EXIT
echo "installation $inst, host pid $hostpid, sandbox $url"

python3 - "$inst" "$hostpid" "$inst/run/mw-rerun.sock" <<'PY' | tee "$inst/report.txt"
import json, os, select, socket, subprocess, sys, threading, time, uuid

inst, pid, sock_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TICK = os.sysconf("SC_CLK_TCK")

def rss_mib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def cpu_ms():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK  # utime + stime

class Sampler:
    """Samples the host's RSS every 50 ms while running (peak of a phase)."""
    def __init__(self):
        self.peak, self.stop = rss_mib(), False
        self.thread = threading.Thread(target=self.run, daemon=True); self.thread.start()
    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_mib()); time.sleep(0.05)
    def end(self):
        self.stop = True; self.thread.join(); return self.peak

class Till:
    def __init__(self, pos=None, timeout=30):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); self.s.settimeout(timeout)
        self.s.connect(sock_path); self.buf = b""; self.next = 1000
        if pos: self.hello = self.call("hello", {"pointOfSale": pos})
    def send(self, data): self.s.sendall(data)
    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 16)
            if not chunk: raise ConnectionError("closed by the host")
            self.buf += chunk
        l, self.buf = self.buf.split(b"\n", 1); return json.loads(l)
    def call(self, method, params=None):
        self.next += 1
        msg = {"jsonrpc": "2.0", "id": self.next, "method": method}
        if params is not None: msg["params"] = params
        self.send((json.dumps(msg) + "\n").encode())
        while True:
            answer = self.line()
            if answer.get("id") == self.next: return answer
    def close(self): self.s.close()

def wait_serving(limit=120):
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            t = Till("5-1-9-8-14", timeout=5)
            if "result" in t.hello:
                return t
        except (OSError, ConnectionError, ValueError):
            pass
        time.sleep(0.5)
    sys.exit("the host did not serve " + sock_path)

till = wait_serving()
deadline = time.time() + 60
while time.time() < deadline and not till.call("reference.status", {}).get("result", {}).get("hasData"):
    time.sleep(0.5)
print(f"host up, RSS {rss_mib():.0f} MiB, reference data loaded: {till.call('reference.status', {}).get('result', {}).get('hasData')}")

# 1. Scripts against their budget (2 s, 64 MiB, 1,000,000 characters by default).
print("\n== 1. hostile pricing scripts (budget: 2,000 ms, 64 MiB, 1,000,000 characters)")
for pos, name in (("5-1-9-8-15", "28 doublings"), ("5-1-9-8-16", "1 GiB allocation"), ("5-1-9-8-17", "catastrophic regex"), ("5-1-9-8-18", "1 GiB string")):
    t = Till(pos)
    before = rss_mib(); sampler = Sampler(); start = time.time()
    opened = t.call("sale.open", {"requestId": str(uuid.uuid4())})
    answers = [("sale.open", opened)]
    if "result" in opened:
        answers.append(("sale.setBasket", t.call("sale.setBasket", {"requestId": str(uuid.uuid4()), "saleId": opened["result"]["saleId"], "lines": [{"codeArticle": 1201, "quantity": 1}]})))
    wall = (time.time() - start) * 1000; peak = sampler.end()
    for method, a in answers:
        outcome = f"error {a['error']['code']}: {a['error']['message'][:200]}" if "error" in a else "result (priced)"
        print(f"{name}: {method} -> {outcome}")
    print(f"{name}: {wall:.0f} ms for the calls, host RSS {before:.0f} MiB before, {peak:.0f} MiB peak")
    t.close()
time.sleep(1)
with open(os.path.join(inst, "host.out"), errors="replace") as f:
    for l in f:
        if "sites/attack/" in l and ("Script refused" in l or "Script fault" in l):
            print("host log:", l.strip()[:330])
status = till.call("scripts.status", {})
for s in status.get("result", []) if isinstance(status.get("result"), list) else []:
    if "attack" in json.dumps(s):
        print("scripts.status:", json.dumps(s)[:400])

# 2. CPU for a 256 KiB line: one write vs 1-byte writes (same run), and a 64 KiB line in 1-byte writes: linear
# framing costs 4x less for a 4x shorter line (the quadratic scan of issue #18 cost 16x less). Median of 3 each.
print("\n== 2. a long line: one write vs 1-byte writes (host utime+stime, median of 3)")
def ping_line(size):
    pad = size - len('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""}}\n')
    return ('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + "x" * pad + '"}}\n').encode()
time.sleep(1)
idle0 = cpu_ms(); time.sleep(2); idle = cpu_ms() - idle0
print(f"idle host: {idle:.0f} ms CPU in 2 s")
for size, mode in ((256 * 1024, "one write"), (256 * 1024, "1-byte writes"), (64 * 1024, "1-byte writes")):
    line, runs = ping_line(size), []
    for _ in range(3):
        t = Till("5-1-9-8-14")
        c0, w0, k0 = cpu_ms(), time.time(), time.process_time()
        if mode == "one write":
            t.send(line)
        else:
            for i in range(len(line)):
                t.s.send(line[i:i + 1])
        a = t.line()
        runs.append((cpu_ms() - c0, time.time() - w0, (time.process_time() - k0) * 1000))
        t.close()
    host, wall, client = sorted(runs)[1]
    print(f"{size // 1024} KiB line, {mode}: host CPU {host:.0f} ms (runs: {', '.join(f'{r[0]:.0f}' for r in runs)}), {wall:.2f} s wall, "
          f"sender's own CPU {client:.0f} ms; answer {'error ' + str(a['error']['code']) if 'error' in a else 'result'}")

# 3. 300 connections without hello, then a till.
print("\n== 3. 300 connections without hello, then a till")
quiet = []
for _ in range(300):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sock_path); quiet.append(s)
time.sleep(1)
start = time.time()
t = Till("5-1-9-8-14")
ping = t.call("ping")
print(f"till after the 300: hello {'ok' if 'result' in t.hello else t.hello}, ping {'ok' if 'result' in ping else ping} in {(time.time() - start) * 1000:.0f} ms (connect + hello + ping)")
t.close()
def closed_count():
    n = 0
    for s in quiet:
        s.setblocking(False)
        try:
            if s.recv(1) == b"": n += 1
        except BlockingIOError: pass
        except OSError: n += 1
    return n
print(f"of the 300, closed by the host: {closed_count()} after 1 s")
time.sleep(11)
print(f"of the 300, closed by the host: {closed_count()} after 12 s (Pipe:HelloTimeout 10 s)")
for s in quiet: s.close()

# 4. 10,000 calls with one id.
print("\n== 4. 10,000 pings with the same id, pipelined")
def log_lines():
    n = 0
    for name in os.listdir(os.path.join(inst, "logs")):
        with open(os.path.join(inst, "logs", name), "rb") as f: n += f.read().count(b"\n")
    return n
time.sleep(1)
lines0 = log_lines()
t = Till("5-1-9-8-14")
t.send(b'{"jsonrpc":"2.0","id":"dup","method":"ping"}\n' * 10000)
codes = {}
t.s.settimeout(30)
for _ in range(10000):
    a = t.line(); k = a["error"]["code"] if "error" in a else "result"; codes[k] = codes.get(k, 0) + 1
time.sleep(2)
print(f"answers: {codes}; log lines written meanwhile: {log_lines() - lines0}")
t.close()

# 5. A client that never reads.
print("\n== 5. a client that pipelines pings and never reads its answers (500,000 calls or 60 s)")
time.sleep(2)
before = rss_mib(); sampler = Sampler()
nr = Till("5-1-9-8-14"); nr.s.setblocking(False)
chunk = b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(1000))
sent_calls, pending, start, last_progress, stalled_at, outcome = 0, b"", time.time(), time.time(), None, "limit reached"
progress = []
while sent_calls < 500000 and time.time() - start < 60:
    if not pending:
        pending = chunk
    _, writable, _ = select.select([], [nr.s], [], 0.5)
    if writable:
        try:
            n = nr.s.send(pending)
        except (BrokenPipeError, ConnectionResetError) as e:
            outcome = f"disconnected by the host after {time.time() - start:.1f} s ({type(e).__name__})"; break
        pending = pending[n:]
        if not pending: sent_calls += 1000
        last_progress = time.time()
    elif stalled_at is None and time.time() - last_progress > 2:
        stalled_at = (time.time() - start, sent_calls)
    if int(time.time() - start) % 10 == 0 and (not progress or progress[-1][0] != int(time.time() - start)):
        progress.append((int(time.time() - start), sent_calls, rss_mib()))
other = Till("5-1-9-8-14", timeout=10); t0 = time.time(); p = other.call("ping"); other_ms = (time.time() - t0) * 1000; other.close()
peak = sampler.end()
print("t(s), calls sent, host RSS (MiB): " + "; ".join(f"{a}, {b:,}, {c:.0f}" for a, b, c in progress))
print(f"sent {sent_calls:,} calls in {time.time() - start:.1f} s; {outcome}; sender stalled (no byte accepted for 2 s) "
      + (f"at {stalled_at[0]:.1f} s after {stalled_at[1]:,} calls" if stalled_at else "never"))
print(f"another till's ping meanwhile: {'ok' if 'result' in p else p} in {other_ms:.0f} ms")
nr.close()
time.sleep(5)
print(f"host RSS: {before:.0f} MiB before, {peak:.0f} MiB peak, {rss_mib():.0f} MiB 5 s after the client closed")

# 5b. Many clients that never read: each is bounded (MaxInFlightPerConnection, MaxPendingOutputBytes), so the host's
# growth is the per-connection bound times the connections (at most Pipe:MaxConnections, 254).
count = int(os.environ.get("MW_RERUN_NONREADERS", "50"))
print(f"\n== 5b. {count} clients that pipeline pings and never read, at once")
time.sleep(2)
before = rss_mib(); sampler = Sampler()
clients = []
for _ in range(count):
    c = Till("5-1-9-8-14"); c.s.setblocking(False); clients.append([c, chunk, 0, time.time(), False])
start = time.time()
# Each client keeps writing until the host has accepted nothing from any of them for 5 s (all stalled), or 45 s.
while time.time() - start < 45 and not all(x[4] or time.time() - x[3] > 5 for x in clients):
    _, writable, _ = select.select([], [x[0].s for x in clients if not x[4]], [], 0.5)
    for x in clients:
        if x[4] or x[0].s not in writable:
            continue
        try:
            n = x[0].s.send(x[1])
        except (BrokenPipeError, ConnectionResetError):
            x[4] = True; continue
        x[1] = x[1][n:] or chunk
        x[2] += n; x[3] = time.time()
stalled_after = time.time() - start
mid = rss_mib()
other = Till("5-1-9-8-14", timeout=10); t0 = time.time(); p = other.call("ping"); other_ms = (time.time() - t0) * 1000; other.close()
sent_mib = sum(x[2] for x in clients) / 1048576
print(f"{'all ' + str(count) + ' stalled (nothing accepted for 5 s)' if stalled_after < 45 else 'still accepted after 45 s'} at {stalled_after:.1f} s, {sent_mib:.0f} MiB sent in all ({sent_mib / count:.1f} MiB each); host RSS {before:.0f} MiB before, {mid:.0f} MiB with all stalled")
print(f"another till's ping meanwhile: {'ok' if 'result' in p else p} in {other_ms:.0f} ms")
deadline = time.time() + 60
def disconnected(c):
    try:
        c.s.send(b"\n"); return False
    except BlockingIOError:
        return False
    except OSError:
        return True
while time.time() < deadline and not all(disconnected(x[0]) for x in clients):
    time.sleep(1)
print(f"disconnected by the host: {sum(disconnected(x[0]) for x in clients)} of {count}, {time.time() - start:.0f} s after the first call (Pipe:WriteTimeout 30 s)")
for x in clients: x[0].close()
time.sleep(5)
print(f"host RSS peak {sampler.end():.0f} MiB, {rss_mib():.0f} MiB 5 s after they closed")

# 6. Modes of what the host created (while it runs: -wal/-shm present).
print("\n== 6. modes of a fresh install (umask 022), stat -c '%a %U %n'")
made = [inst + "/" + d for d in ("data", "logs", "run")]
out = subprocess.run(["find", *made, "-printf", "%m %u %p\n"], capture_output=True, text=True).stdout
print(out.replace(inst + "/", "").rstrip())
print(f"\nhost alive at the end: {os.path.exists(f'/proc/{pid}')}")
PY
