#!/usr/bin/env bash
# Runs every Switchboard test, and exits non-zero if any fails:
#   1. scripts/setup.sh (installs what is missing)
#   2. the console: type check and build of ui/dist (the app embeds it), then vitest
#   3. every Rust test in the workspace, inside a private desktop session
#      (scripts/lib/desktop-session.sh: Xvfb, D-Bus, dunst, gnome-keyring)
#   4. the browser and end-to-end suites, each when its folder exists:
#      widget/tests (the widget in Chromium) and tests/desktop (the app, through
#      tauri-driver and WebKitWebDriver). A suite is a folder with a package.json whose
#      `npm test` runs it, or with an executable run.sh.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SWITCHBOARD_ROOT"

suites=(
    "widget/tests|the widget in Chromium against a real hub"
    "tests/desktop|the desktop app end to end against a real hub"
)

timings=()
stage() { # stage NAME COMMAND...: runs one stage, records how long it took, stops on failure
    local name=$1 start=$SECONDS status=0 outcome=""
    shift
    step "$name"
    "$@" || status=$?
    [ "$status" -eq 0 ] || outcome="  FAILED (exit $status)"
    timings+=("$(printf '%-44s %5ds%s' "$name" $((SECONDS - start)) "$outcome")")
    [ "$status" -eq 0 ] || exit "$status"
}

run_suite() { # run_suite DIR (called where errexit is off: every step checks itself)
    local dir=$1
    if [ -x "$dir/run.sh" ]; then
        scripts/lib/desktop-session.sh "$dir/run.sh"
    else
        npm_ci_if_stale "$SWITCHBOARD_ROOT/$dir" || return
        scripts/lib/desktop-session.sh npm --prefix "$dir" test
    fi
}

summary() {
    local status=$?
    if [ ${#timings[@]} -gt 0 ]; then
        step "Stage times"
        printf '    %s\n' "${timings[@]}"
    fi
    if [ $status -eq 0 ]; then
        step "All tests passed ($(elapsed))"
    else
        printf '\n%sTests FAILED%s (exit %d, after %s): see the stage marked FAILED.\n' \
            "$_red" "$_reset" "$status" "$(elapsed)" >&2
    fi
}
trap summary EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stage "Setup" bash scripts/setup.sh
stage "Console: type check and build (ui/dist)" npm --prefix ui run build
stage "Console: component tests (vitest)" npm --prefix ui test
stage "Rust: build the tests" cargo test --workspace --all-targets --no-run
stage "Rust: all targets, in a desktop session" \
    scripts/lib/desktop-session.sh cargo test --workspace --all-targets
stage "Rust: doc tests" cargo test --workspace --doc

# The suites start the binaries the Rust test build just made (the hub is built for its
# integration tests), instead of building them again with another feature set.
hub_bin="$(target_dir)/debug/switchboard-hub"
if [ -z "${SWITCHBOARD_HUB_BIN:-}" ] && [ -x "$hub_bin" ]; then
    export SWITCHBOARD_HUB_BIN="$hub_bin"
fi

for entry in "${suites[@]}"; do
    dir=${entry%%|*}
    what=${entry#*|}
    if [ -f "$dir/package.json" ] || [ -x "$dir/run.sh" ]; then
        note "$dir: $what"
        stage "Suite $dir" run_suite "$dir"
    else
        note "no $dir yet: skipping $what"
    fi
done
