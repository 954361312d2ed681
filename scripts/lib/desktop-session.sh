#!/usr/bin/env bash
# Runs a command inside a private desktop session, so that tests talk to real services
# without touching the user's own: a session D-Bus (dbus-run-session; only the services
# below are on it, see session-bus.conf), a virtual X display (Xvfb, on a display number
# it picks itself), a notification server (dunst) and an unlocked Secret Service
# (gnome-keyring) with its keyring in a temporary folder.
# Usage: scripts/lib/desktop-session.sh COMMAND [ARGS...]; exits with COMMAND's status.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -gt 0 ] || die "usage: $0 COMMAND [ARGS...]"

if [ -z "${SWITCHBOARD_DESKTOP_SESSION:-}" ]; then
    command -v dbus-run-session >/dev/null 2>&1 || die "dbus-run-session is missing: run scripts/setup.sh"
    exec dbus-run-session --config-file="$(dirname "${BASH_SOURCE[0]}")/session-bus.conf" -- \
        env SWITCHBOARD_DESKTOP_SESSION=1 bash "${BASH_SOURCE[0]}" "$@"
fi

session=$(mktemp -d -t switchboard-session.XXXXXX)
pids=()

stop_services() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$session"
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_log() {
    [ -s "$1" ] && sed 's/^/    | /' "$1" >&2
    return 0
}

bus_has() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}

# wait_until DESCRIPTION LOG COMMAND...: polls COMMAND for up to 15 s.
wait_until() {
    local what=$1 log=$2 tries=150
    shift 2
    until "$@"; do
        tries=$((tries - 1))
        if [ $tries -le 0 ]; then
            show_log "$log"
            die "$what did not come up within 15 s"
        fi
        sleep 0.1
    done
}

# Fresh per-session folders: the keyring, dunst's config and GTK's state live here.
mkdir -m 700 "$session/runtime" "$session/data" "$session/config" "$session/cache"
export XDG_RUNTIME_DIR="$session/runtime" XDG_DATA_HOME="$session/data"
export XDG_CONFIG_HOME="$session/config" XDG_CACHE_HOME="$session/cache"
unset WAYLAND_DISPLAY
export GDK_BACKEND=x11 NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$session/display" >"$session/xvfb.log" 2>&1 &
pids+=($!)
wait_until "Xvfb" "$session/xvfb.log" test -s "$session/display"
DISPLAY=":$(head -n1 "$session/display")"
export DISPLAY

dunst >"$session/dunst.log" 2>&1 &
pids+=($!)
wait_until "the notification server (dunst)" "$session/dunst.log" bus_has org.freedesktop.Notifications

# The password unlocks (and on first use creates) the session's login keyring.
gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$session/keyring.log" 2>&1 <<<"switchboard-test-session" &
pids+=($!)
wait_until "the Secret Service (gnome-keyring)" "$session/keyring.log" bus_has org.freedesktop.secrets
if ! secret-tool store --label="session check" switchboard session-check <<<"ok" ||
    [ "$(secret-tool lookup switchboard session-check)" != "ok" ]; then
    show_log "$session/keyring.log"
    die "the Secret Service is up but cannot store a secret"
fi
secret-tool clear switchboard session-check

note "desktop session ready: DISPLAY=$DISPLAY, notifications (dunst) and secrets (gnome-keyring) on D-Bus"
status=0
"$@" || status=$?
exit "$status"
