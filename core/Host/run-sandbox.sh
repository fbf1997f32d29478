#!/usr/bin/env bash
# Runs the middleware on its embedded sandbox (local Crous + Izly API) from a fresh clone:
#   bash core/Host/run-sandbox.sh           build everything, start pcscd when available, run the host
#   bash core/Host/run-sandbox.sh --demo    the same, then play a QR-code sale and an Izly card sale (a virtual card on
#                                           pcscd + vpcd, put there by the izly-vcard tool) through the till pipe with mwctl,
#                                           then sales on a simulated Ingenico Tetra (needs socat): a card read then Izly,
#                                           a CB payment, a refused CB payment
# Card reading needs a SAM key file: unless MIDDLEWARE_Cards__SoftwareSam__KeyFile names one, the sandbox's public demo
# SAM keys are written (mode 600) to data/sam-keys.json (data/ of the installation folder) and used.
# Tills connect to the pipe "izly-middleware" as point of sale 5-1-9-8-14. Linux: the socket izly-middleware.sock in
# $XDG_RUNTIME_DIR/izly-middleware, /run/izly-middleware when root, else run/ of the installation (the host logs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The embedded sandbox is refused in Production (the host's default environment, appsettings.Production.json).
export DOTNET_ENVIRONMENT=Development
demo=0
[ "${1:-}" = "--demo" ] && demo=1

echo "== Building (plugins are deployed into plugins/*/bin) ..."
dotnet build Middleware.sln -c Release -nologo -v q
if [ -x /usr/sbin/pcscd ] && [ "$(id -u)" = "0" ]; then bash tests/pcsc/start-pcscd.sh || true; fi

host=".artifacts/bin/Middleware.Host/release/Middleware.Host.dll"
mwctl="dotnet .artifacts/bin/Middleware.Cli/release/mwctl.dll"
vcard="dotnet .artifacts/bin/Middleware.VirtualCards.Tool/release/izly-vcard.dll"
# The software SAM's key file: the operator's, else the sandbox's public demo keys (never for real cards).
keys="${MIDDLEWARE_Cards__SoftwareSam__KeyFile:-}"
if [ -z "$keys" ]; then
  keys="$PWD/data/sam-keys.json"   # data/ of the installation folder (plugins.json's), as the stores
  [ -f "$keys" ] || $vcard demo-sam-keys "$keys"
  export MIDDLEWARE_Cards__SoftwareSam__KeyFile="$keys"
fi
# The operator status page (read-only, behind the access key the host writes to data/operator.key at first start).
web=(--OperatorWeb:Enabled=true --OperatorWeb:Url=http://127.0.0.1:5090)
if [ "$demo" = "0" ]; then
  echo "== Status page: http://127.0.0.1:5090/login?key=\$(cat $PWD/data/operator.key) once the host runs"
  exec dotnet "$host" "${web[@]}"
fi

# The Tetra steps: the embedded sandbox runs a simulated Tetra (Sandbox:Tetra, a socat pty pair in run/tetra of the
# installation folder) and the host loads the Tetra plugin on its link through plugins.demo.json, a copy of plugins.json
# with that entry enabled. It sits beside plugins.json because the plugins file's folder is the installation folder
# (stores, scripts, keys): plugins.json itself keeps the production default (Tetra off).
tetra=0
hostargs=()
if command -v socat >/dev/null; then
  tetra=1
  demoplugins="$PWD/plugins.demo.json"
  python3 - "$PWD/plugins.json" "$demoplugins" "$PWD/run/tetra/tetra" <<'PY'
import json, re, sys
source, target, port = sys.argv[1:]
text = re.sub(r"^\s*//.*$", "", open(source, encoding="utf-8").read(), flags=re.M)  # plugins.json has comment lines
doc = json.loads(text)
entry = next(p for p in doc["plugins"] if p["id"] == "terminal.tetra")
entry["enabled"] = True
entry["settings"] = dict(entry.get("settings") or {}, port=port, terminalName="Tetra 1", tillNumber=14)
with open(target, "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2)
PY
  hostargs=(--PluginsFile="$demoplugins" --Sandbox:Tetra:Enabled=true
            --PointsOfSale:0:Terminal="Tetra 1" --PointsOfSale:0:Readers:1="Tetra 1")
fi

log=$(mktemp)
dotnet "$host" "${web[@]}" "${hostargs[@]}" >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
echo "== Host started (pid $pid, log $log); waiting for the till pipe ..."
for _ in $(seq 1 60); do grep -q "pipe server listening" "$log" && break; sleep 1; done
# The socket's path as the host logged it (mwctl finds the default folders itself, not the installation's run/).
sock=$(grep -o "pipe server listening on [^ ]*" "$log" | head -1 | cut -d' ' -f5)
P="--pipe $sock --pos 5-1-9-8-14 --timeout 30"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
for _ in $(seq 1 30); do [ "$($mwctl call reference.status '{}' $P 2>/dev/null | json 'd["hasData"]' 2>/dev/null)" = "True" ] && break; sleep 1; done
echo "== 1. The till says hello"; $mwctl hello $P | json '"server", d["serverVersion"], "for", d["label"]'
echo "== 2. A student shows an Izly QR code (issued by the sandbox)"
qr=$(curl -s -X POST http://127.0.0.1:5080/_sandbox/qrcodes -H 'content-type: application/json' -d '{"identifier":"1000001"}' | json 'd["text"]')
echo "   scanned: ${qr:0:60}..."
echo "== 3. The till opens a sale"; sale=$($mwctl call sale.open '{}' --mutating $P | json 'd["saleId"]'); echo "   sale $sale"
echo "== 4. Basket: one full meal (article 1201) -- priced as a guest until the customer is known"
$mwctl call sale.setBasket "{\"saleId\":\"$sale\",\"lines\":[{\"codeArticle\":1201,\"quantity\":1}]}" --mutating $P | json '"   total", d["totalTtc"], [(l["label"], l["unitPriceTtc"]) for l in d["lines"]]'
echo "== 5. Identify by QR code -- student price"
$mwctl call sale.identifyQr "{\"saleId\":\"$sale\",\"qrCode\":\"$qr\"}" --mutating $P | json '"  ", d["customer"]["name"], "balance", d["customer"]["balance"], "total", d["totalTtc"]'
echo "== 6. Pay by Izly: debit, then the ticket is committed to the outbox"
qrpay=$(python3 -c 'import uuid; print(uuid.uuid4())')
$mwctl call sale.pay "{\"saleId\":\"$sale\",\"method\":\"izly\"}" --request-id "$qrpay" $P | json '"   sale", d["state"], "| payment", d["payment"]["state"], d["payment"]["idTransactionIzly"], "balance after", d["payment"]["balanceAfter"], "| ticket", d["ticket"]["numeroTicket"]'
sleep 3
echo "== 7. The outbox sent it to VEM (sandbox)"; $mwctl call outbox.status '{}' $P | json '"   pending", d["pending"], "sent", d["sent"], "dead", d["dead"]'

reader="Virtual PCD 00 00"
if [ -z "$(pgrep -x pcscd || true)" ]; then
  echo "== Card sale skipped: pcscd is not running (apt-get install -y pcscd vsmartcard-vpcd, run this script as root)"
else
  echo "== 8. An Izly card sale. The till listens for card notifications (mwctl watch); the reader:"
  for _ in $(seq 1 30); do
    state=$($mwctl call readers.list '{}' $P 2>/dev/null | json "[r['state'] for r in d if r['name']=='$reader'][0]" 2>/dev/null || true)
    [ "$state" = "Empty" ] && break; sleep 1
  done
  echo "   $reader: ${state:-unknown}"
  wlog=$(mktemp); vlog=$(mktemp)
  $mwctl watch $P >"$wlog" 2>&1 &
  wpid=$!
  trap 'kill $pid $wpid ${vpid:-} 2>/dev/null || true' EXIT
  for _ in $(seq 1 30); do grep -q "Watching" "$wlog" && break; sleep 1; done
  echo "== 9. The till opens a sale and sets the basket (one full meal, guest price until the customer is known)"
  sale=$($mwctl call sale.open '{}' --mutating $P | json 'd["saleId"]'); echo "   sale $sale"
  $mwctl call sale.setBasket "{\"saleId\":\"$sale\",\"lines\":[{\"codeArticle\":1201,\"quantity\":1}]}" --mutating $P | json '"   total", d["totalTtc"]'
  echo "== 10. A student (sandbox holder 1000015) taps an Izly card: izly-vcard puts a virtual DESFire card on $reader"
  $vcard insert --holder 1000015 --key-file "$keys" --seconds 300 >"$vlog" 2>&1 &
  vpid=$!
  for _ in $(seq 1 30); do grep -q "inserted\|No vpcd\|Invalid" "$vlog" && break; sleep 1; done
  sed 's/^/   izly-vcard: /' "$vlog"
  for _ in $(seq 1 30); do grep -q "card\.\(tapped\|readFailed\)" "$wlog" && break; sleep 1; done
  echo "   the till is told (SAM-authenticated read of the card's ZDC):"
  grep "card\.\(tapped\|readFailed\)" "$wlog" | sed 's/^/   /' || true
  echo "== 11. Identify by the tapped card -- student price"
  $mwctl call sale.identifyCard "{\"saleId\":\"$sale\"}" --mutating $P | json '"  ", d["customer"]["name"], "balance", d["customer"]["balance"], "card", d["cardNumber"], "total", d["totalTtc"]'
  echo "== 12. Pay by Izly: the card is debited, then the ticket is committed to the outbox"
  $mwctl call sale.pay "{\"saleId\":\"$sale\",\"method\":\"izly\"}" --mutating $P | json '"   sale", d["state"], "| payment", d["payment"]["channel"], d["payment"]["state"], d["payment"]["idTransactionIzly"], "balance after", d["payment"]["balanceAfter"], "| ticket", d["ticket"]["numeroTicket"]'
  echo "== 13. The student takes the card away"
  kill -TERM $vpid 2>/dev/null || true; wait $vpid 2>/dev/null || true
  for _ in $(seq 1 30); do grep -q "card\.removed" "$wlog" && break; sleep 1; done
  grep "card\.removed" "$wlog" | sed 's/^/   /' || true
  for _ in $(seq 1 30); do [ "$($mwctl call outbox.status '{}' $P | json 'd["pending"]' || true)" = "0" ] && break; sleep 1; done
  echo "== 14. The outbox sent the card sale's ticket to VEM (sandbox)"; $mwctl call outbox.status '{}' $P | json '"   pending", d["pending"], "sent", d["sent"], "dead", d["dead"]'
  curl -s "http://127.0.0.1:5080/_sandbox/tickets?appId=5-1-9-8-14" | json 'next(("   ticket %s at VEM: codeReglement %s, idSupport %s, numeroApplicatif %s, idTransactionIzly %s" % (t["numeroTicket"], r["codeReglement"], r["idSupport"], r.get("numeroApplicatif"), r.get("idTransactionIzly")) for t in reversed(d) for r in t["ticket"]["listeReglements"] if r.get("idSupport")), "   no card ticket at VEM yet")'
  kill $wpid 2>/dev/null || true
fi
T="--pipe $sock --pos 5-1-9-8-14 --timeout 150"   # a CB payment waits for the customer's PIN
behaviour() { curl -sf -X POST http://127.0.0.1:5080/_sandbox/tetra/behaviour -H 'content-type: application/json' -d "$1"; }
if [ "$tetra" = "0" ]; then
  echo "== Tetra sales skipped: socat is not installed (apt-get install -y socat) for the simulated Tetra"
else
  for _ in $(seq 1 30); do
    tstate=$($mwctl call readers.list '{}' $P 2>/dev/null | json "[r['state'] for r in d if r['name']=='Tetra 1'][0]" 2>/dev/null || true)
    [ -n "$tstate" ] && [ "$tstate" != "Unavailable" ] && break; sleep 1
  done
  if ! curl -sf http://127.0.0.1:5080/_sandbox/tetra/behaviour >/dev/null; then
    echo "== Tetra sales skipped: the sandbox runs no simulated Tetra (see the host log $log)"
  else
    echo "== 15. A student pays by Izly after a read on the Tetra (simulated Ingenico Tetra on $PWD/run/tetra/tetra: ${tstate:-unknown})"
    # The simulated terminal's card: sandbox holder 1000015's (idSupport 36000015, numeroApplicatif 04A1B2C3D4000F).
    behaviour '{"card":"CardPresent","payment":"Accepted","idSupport":"36000015","numeroApplicatif":"04A1B2C3D4000F"}' >/dev/null
    sale=$($mwctl call sale.open '{}' --mutating $P | json 'd["saleId"]'); echo "   sale $sale"
    $mwctl call sale.setBasket "{\"saleId\":\"$sale\",\"lines\":[{\"codeArticle\":1201,\"quantity\":1}]}" --mutating $P | json '"   total", d["totalTtc"]'
    $mwctl call readers.read '{"reader":"Tetra 1","timeoutMs":20000}' $P | json '"   the Tetra read the card: idSupport", d["idSupport"], "numeroApplicatif", d["numeroApplicatif"], "| the Tetra SAM id", d["samId"]'
    $mwctl call sale.identifyCard "{\"saleId\":\"$sale\",\"reader\":\"Tetra 1\"}" --mutating $P | json '"  ", d["customer"]["name"], "(" + d["customer"]["codeClient"] + ")", "balance", d["customer"]["balance"], "card", d["cardNumber"], "total", d["totalTtc"]'
    $mwctl call sale.pay "{\"saleId\":\"$sale\",\"method\":\"izly\"}" --mutating $P | json '"   sale", d["state"], "| payment", d["payment"]["channel"], d["payment"]["state"], d["payment"]["idTransactionIzly"], "balance after", d["payment"]["balanceAfter"], "| ticket", d["ticket"]["numeroTicket"]'

    echo "== 16. A guest pays by CB on the Tetra"
    sale=$($mwctl call sale.open '{}' --mutating $P | json 'd["saleId"]'); echo "   sale $sale"
    $mwctl call sale.setBasket "{\"saleId\":\"$sale\",\"lines\":[{\"codeArticle\":1201,\"quantity\":1}]}" --mutating $P | json '"   total", d["totalTtc"], "(guest price)"'
    cb=$($mwctl call sale.pay "{\"saleId\":\"$sale\",\"method\":\"cb\"}" --mutating $T)
    echo "$cb" | json '"   sale", d["state"], "| payment", d["payment"]["channel"], d["payment"]["state"], d["payment"]["terminal"], "| ticket", d["ticket"]["numeroTicket"]'
    echo "$cb" | json '"   terminal report:", d["payment"]["terminalReport"]'
    cbticket=$(echo "$cb" | json 'd["ticket"]["numeroTicket"]')
    for _ in $(seq 1 30); do [ "$($mwctl call outbox.status '{}' $P | json 'd["pending"]' || true)" = "0" ] && break; sleep 1; done
    curl -s "http://127.0.0.1:5080/_sandbox/tickets?appId=5-1-9-8-14" | json 'next(("   ticket %s at VEM: codeReglement %s, montant %s" % (t["numeroTicket"], r["codeReglement"], r["montant"]) for t in reversed(d) if str(t["numeroTicket"]) == "'"$cbticket"'" for r in t["ticket"]["listeReglements"]), "   ticket '"$cbticket"' not at VEM yet")'

    echo "== 17. The card is refused at the terminal"
    behaviour '{"payment":"Refused"}' | json '"   simulated Tetra: payment", d["payment"]'
    sale=$($mwctl call sale.open '{}' --mutating $P | json 'd["saleId"]'); echo "   sale $sale"
    $mwctl call sale.setBasket "{\"saleId\":\"$sale\",\"lines\":[{\"codeArticle\":1201,\"quantity\":1}]}" --mutating $P >/dev/null
    $mwctl call sale.pay "{\"saleId\":\"$sale\",\"method\":\"cb\"}" --mutating $T 2>&1 | grep -v "^Payload" | sed 's/^/   the till shows: /' || true
    $mwctl call sale.get "{\"saleId\":\"$sale\"}" $P | json '"   the sale stays", d["state"], "(another means of payment, or cancel it)"'
    $mwctl call sale.cancel "{\"saleId\":\"$sale\"}" --mutating $P | json '"   cancelled:", d["state"]'
    behaviour '{"payment":"Accepted"}' | json '"   simulated Tetra reset: payment", d["payment"]'
  fi
fi
echo "== 18. The student of step 6 changes their mind: the cashier refunds the Izly payment (same day)"
$mwctl call payment.cancel "{\"paymentRequestId\":\"$qrpay\"}" --mutating $P | json '"   payment", d["state"], "| refund ticket", d["refundTicket"]["numeroTicket"], "(RB, sent to VEM like a sale)"'
for _ in $(seq 1 30); do [ "$($mwctl call outbox.status '{}' $P | json 'd["pending"]' || true)" = "0" ] && break; sleep 1; done
curl -s "http://127.0.0.1:5080/_sandbox/tickets?appId=5-1-9-8-14" | json 'next(("   refund ticket %s at VEM: codeEvenement %s, montant %s, refunds ticket %s" % (t["numeroTicket"], t["ticket"]["codeEvenement"], t["ticket"]["listeReglements"][0]["montant"], t["ticket"]["complementaire"].get("numeroTicketOrigine")) for t in reversed(d) if t["ticket"]["codeEvenement"] == "RB"), "   no refund ticket at VEM yet")'
mkdir -p "$PWD/run"
echo "== 19. End of service: the manager closes the host's day (final: later sales go to the next closing)"
$mwctl closing close --scope host --html "$PWD/run/closing.html" $P 2>/dev/null | sed 's/^/   /'
echo "   printable page: $PWD/run/closing.html (--pdf FILE prints it through chromium)"
echo "== 20. The day is reconciled with Izly's operations and VEM's answers"
closing=$($mwctl closing list --scope host --period day --json $P | json 'd[0]["id"]')
$mwctl closing reconcile "$closing" $P | sed 's/^/   /' || true
echo "== 21. The sales journal (hash-chained, signed) is verified"
$mwctl journal verify $P | sed 's/^/   /' || true
echo "== 22. What the support person sees: mwctl status (the status page's content; the page itself below)"
$mwctl status $P 2>/dev/null | sed -n '1,40p' | sed 's/^/   /' || true
echo "   status page: open http://127.0.0.1:5090/login?key=\$(cat $PWD/data/operator.key) (the key is the operator's: not printed)"
echo "== Demo done. The host keeps running (Ctrl-C to stop); log: $log"
wait $pid
