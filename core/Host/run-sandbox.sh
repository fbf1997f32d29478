#!/usr/bin/env bash
# Runs the middleware on its embedded sandbox (local Crous + Izly API) from a fresh clone:
#   bash core/Host/run-sandbox.sh           build everything, start pcscd when available, run the host
#   bash core/Host/run-sandbox.sh --demo    the same, then play a QR-code sale through the till pipe with mwctl
# Tills connect to the pipe "izly-middleware" (Linux: /tmp/CoreFxPipe_izly-middleware) as point of sale 5-1-9-8-14.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
demo=0
[ "${1:-}" = "--demo" ] && demo=1

echo "== Building (plugins are deployed into plugins/*/bin) ..."
dotnet build Middleware.sln -c Release -nologo -v q
if [ -x /usr/sbin/pcscd ] && [ "$(id -u)" = "0" ]; then bash tests/pcsc/start-pcscd.sh || true; fi

host=".artifacts/bin/Middleware.Host/release/Middleware.Host.dll"
mwctl="dotnet .artifacts/bin/Middleware.Cli/release/mwctl.dll"
if [ "$demo" = "0" ]; then
  exec dotnet "$host"
fi

log=$(mktemp)
dotnet "$host" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
echo "== Host started (pid $pid, log $log); waiting for the till pipe ..."
for _ in $(seq 1 60); do grep -q "pipe server listening" "$log" && break; sleep 1; done
P="--pos 5-1-9-8-14 --timeout 30"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
for _ in $(seq 1 30); do [ "$($mwctl call reference.status '{}' $P 2>/dev/null | json 'd["hasData"]' 2>/dev/null)" = "True" ] && break; sleep 1; done
echo "== 1. The till says hello"; $mwctl hello $P | json '"server", d["ServerVersion"], "for", d["Label"]'
echo "== 2. A student shows an Izly QR code (issued by the sandbox)"
qr=$(curl -s -X POST http://127.0.0.1:5080/_sandbox/qrcodes -H 'content-type: application/json' -d '{"identifier":"1000001"}' | json 'd["text"]')
echo "   scanned: ${qr:0:60}..."
echo "== 3. The till opens a sale"; sale=$($mwctl call sale.open '{}' --mutating $P | json 'd["saleId"]'); echo "   sale $sale"
echo "== 4. Basket: one full meal (article 1201) -- priced as a guest until the customer is known"
$mwctl call sale.setBasket "{\"saleId\":\"$sale\",\"lines\":[{\"codeArticle\":1201,\"quantity\":1}]}" --mutating $P | json '"   total", d["totalTtc"], [(l["label"], l["unitPriceTtc"]) for l in d["lines"]]'
echo "== 5. Identify by QR code -- student price"
$mwctl call sale.identifyQr "{\"saleId\":\"$sale\",\"qrCode\":\"$qr\"}" --mutating $P | json '"  ", d["customer"]["name"], "balance", d["customer"]["balance"], "total", d["totalTtc"]'
echo "== 6. Pay by Izly: debit, then the ticket is committed to the outbox"
$mwctl call sale.pay "{\"saleId\":\"$sale\",\"method\":\"izly\"}" --mutating $P | json '"   sale", d["state"], "| payment", d["payment"]["state"], d["payment"]["idTransactionIzly"], "balance after", d["payment"]["balanceAfter"], "| ticket", d["ticket"]["numeroTicket"]'
sleep 3
echo "== 7. The outbox sent it to VEM (sandbox)"; $mwctl call outbox.status '{}' $P | json '"   pending", d["pending"], "sent", d["sent"], "dead", d["dead"]'
echo "== Demo done. The host keeps running (Ctrl-C to stop); log: $log"
wait $pid
