#!/usr/bin/env bash
# Runs Switchboard on this machine: installs what is missing (scripts/setup.sh), builds
# the console, the desktop app and the hub (debug builds: the quickest first build; the
# dependencies are still optimised, see [profile.dev] in Cargo.toml), starts a demo hub
# on http://127.0.0.1:8750 with its data in .demo/, opens the demo shop page in the
# browser and the desktop app, and stops the hub when the app quits.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SWITCHBOARD_ROOT"

listen=127.0.0.1:8750
hub_url="http://$listen"
data="$SWITCHBOARD_ROOT/.demo"
hub_log="$data/hub.log"
hub_pid=""

stop_hub() {
    if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then
        step "Stopping the demo hub"
        kill "$hub_pid" 2>/dev/null || true
        wait "$hub_pid" 2>/dev/null || true
    fi
}
trap stop_hub EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

has_display() {
    [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]
}

bash scripts/setup.sh

step "Building the console (ui/dist)"
npm --prefix ui run build

step "Building the desktop app and the hub (debug)"
cargo build -p switchboard -p switchboard-hub --bins
bin="$(target_dir)/debug"
[ -x "$bin/switchboard-hub" ] || die "the hub binary $bin/switchboard-hub was not built"
[ -x "$bin/switchboard" ] || die "the app binary $bin/switchboard was not built"

if curl -fsS -o /dev/null --max-time 2 "$hub_url/healthz" 2>/dev/null; then
    die "a hub already answers on $hub_url (an earlier run still going?). Stop it first."
fi

step "Starting the demo hub on $hub_url (data in .demo/, log in .demo/hub.log)"
mkdir -p "$data"
"$bin/switchboard-hub" serve --listen "$listen" --data "$data" --demo >"$hub_log" 2>&1 &
hub_pid=$!
for _ in $(seq 150); do
    curl -fsS -o /dev/null --max-time 2 "$hub_url/healthz" 2>/dev/null && break
    if ! kill -0 "$hub_pid" 2>/dev/null; then
        sed 's/^/    hub | /' "$hub_log" >&2
        hub_pid=""
        die "the hub stopped during start-up (its output is above)"
    fi
    sleep 0.2
done
curl -fsS -o /dev/null --max-time 2 "$hub_url/healthz" ||
    die "the hub did not answer $hub_url/healthz within 30 s; see $hub_log"

step "The demo hub is up. What it printed at start (the demo agents' sign-in is here):"
sed 's/^/    hub | /' "$hub_log"

if ! has_display; then
    step "No graphical display here, so the desktop app cannot open"
    note "The hub keeps running. From a browser on this machine, open $hub_url/demo"
    note "From another machine: ssh -L 8750:$listen THIS_HOST, then open $hub_url/demo"
    note "To use the desktop app, run scripts/run.sh from a graphical session."
    note "Press Ctrl+C to stop the hub."
    wait "$hub_pid"
    exit
fi

step "Opening the demo shop ($hub_url/demo) in your browser"
if command -v xdg-open >/dev/null 2>&1; then
    xdg-open "$hub_url/demo" >/dev/null 2>&1 || warn "xdg-open failed: open $hub_url/demo by hand"
else
    note "open $hub_url/demo in your browser"
fi

step "Opening the Switchboard desktop app"
note "Sign in with hub address $hub_url and a demo agent from above."
note "Closing the window keeps Switchboard in the tray; quit from the tray menu or press Ctrl+C here."
note "The hub stops when the app quits."
status=0
"$bin/switchboard" || status=$?
exit "$status"
