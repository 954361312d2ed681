#!/usr/bin/env bash
# Runs the desktop app's end-to-end tests: builds the app (the console in ui/dist must be
# built first: scripts/test.sh does that), then drives it with node --test through
# tauri-driver and WebKitWebDriver. Needs a display, D-Bus and a secret store: run it
# inside scripts/lib/desktop-session.sh, as scripts/test.sh does.
# Usage: tests/desktop/run.sh [TEST FILE...]
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
cd "$SWITCHBOARD_ROOT"

command -v tauri-driver >/dev/null 2>&1 || die "tauri-driver is missing: run scripts/setup.sh"
command -v WebKitWebDriver >/dev/null 2>&1 || die "WebKitWebDriver is missing (webkit2gtk-driver): run scripts/setup.sh"
[ -f ui/dist/index.html ] || die "ui/dist is not built: run npm --prefix ui run build"
[ -n "${DISPLAY:-}" ] || die "no DISPLAY: run this inside scripts/lib/desktop-session.sh"

# The scripted visitor and the hub harness come from the widget tests (and their `ws`).
npm_ci_if_stale "$SWITCHBOARD_ROOT/widget/tests"

step "Building the desktop app (cargo build -p switchboard)"
cargo build -p switchboard
SWITCHBOARD_APP_BIN="$(target_dir)/debug/switchboard"
export SWITCHBOARD_APP_BIN
if [ -z "${SWITCHBOARD_HUB_BIN:-}" ]; then
    cargo build -p switchboard-hub
    SWITCHBOARD_HUB_BIN="$(target_dir)/debug/switchboard-hub"
    export SWITCHBOARD_HUB_BIN
fi

cd tests/desktop
if [ $# -eq 0 ]; then
    set -- *.test.mjs
fi
exec node --test --test-concurrency=1 --test-timeout=300000 "$@"
