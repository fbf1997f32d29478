#!/bin/sh
# Starts pcscd (with the vsmartcard-vpcd driver configured by its Debian package) if it is not running,
# and waits until its socket accepts clients. Idempotent: safe to call when pcscd already runs.
#
# Usage: tests/pcsc/start-pcscd.sh            start if needed
#        tests/pcsc/start-pcscd.sh --restart  kill pcscd hard (SIGKILL, as a crash would) then start it again
#
# Why the cleanup: pcscd killed hard leaves /run/pcscd/pcscd.comm and pcscd.pid behind, and the next pcscd
# then refuses to start ("Another pcscd seems to be running"). They are removed only when no pcscd is alive.
# Needs root (or write access to /run/pcscd). Exit 0 when pcscd is up, 1 otherwise.
set -u

RUN_DIR=/run/pcscd
SOCKET="$RUN_DIR/pcscd.comm"
PIDFILE="$RUN_DIR/pcscd.pid"
LOG="${PCSCD_LOG:-/tmp/pcscd.log}"

pcscd_pids() {
    # Exact process name only: never matches this script or unrelated commands.
    pgrep -x pcscd 2>/dev/null || true
}

if [ "${1:-}" = "--restart" ]; then
    for pid in $(pcscd_pids); do
        kill -9 "$pid" 2>/dev/null || true
    done
    # Wait (up to 5 s) for the killed processes to be gone.
    i=0
    while [ -n "$(pcscd_pids)" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
fi

if ! command -v pcscd >/dev/null 2>&1 && [ ! -x /usr/sbin/pcscd ]; then
    echo "start-pcscd: pcscd is not installed (apt-get install -y pcscd vsmartcard-vpcd)" >&2
    exit 1
fi
PCSCD=$(command -v pcscd 2>/dev/null || echo /usr/sbin/pcscd)

if [ -z "$(pcscd_pids)" ]; then
    rm -f "$SOCKET" "$PIDFILE"
    mkdir -p "$RUN_DIR"
    # Plain pcscd daemonises itself; its output goes to syslog. --debug keeps a trace in the log file.
    "$PCSCD" --debug >>"$LOG" 2>&1 || {
        echo "start-pcscd: pcscd failed to start, see $LOG" >&2
        exit 1
    }
fi

# Wait (up to 10 s) until the socket exists and a pcscd process is alive.
i=0
while [ $i -lt 100 ]; do
    if [ -S "$SOCKET" ] && [ -n "$(pcscd_pids)" ]; then
        exit 0
    fi
    sleep 0.1
    i=$((i + 1))
done
echo "start-pcscd: pcscd did not create $SOCKET within 10 s, see $LOG" >&2
exit 1
