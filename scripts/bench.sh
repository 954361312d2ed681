#!/usr/bin/env bash
# Reruns Switchboard's benchmarks (see docs/performance.md): builds the hub and the
# bench in release mode, raises the open-file limit, creates the bench workspace in a
# fresh data dir under /tmp, and against a hub started for each scenario runs
#   connections  10,000 idle visitors and 500 agents held at once
#   throughput   2,000 chats talking together at 5,000 messages per second in all
#   offers       a steady stream of short chats, for offer latency
# then the resync run (an agent's client core offline during 1,000 events), and the
# desktop footprint run (bench/footprint: the release app under Xvfb with 10 open chats
# and 100,000 cached messages, beside an empty Tauri window; needs what the desktop
# tests need, see tests/desktop/README.md). Results are JSON files under target/bench/
# plus a table per run on stdout.
#
# Knobs (environment): BENCH_AGENTS (500), BENCH_IDLE_VISITORS (10000),
# BENCH_CHATS (2000), BENCH_RATE (5000), BENCH_MESSAGES (100 per chat),
# BENCH_SCENARIOS ("connections throughput offers resync footprint"), BENCH_PORT (8790),
# FOOTPRINT_MESSAGES (100000), FOOTPRINT_CHATS (10).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SWITCHBOARD_ROOT"

agents=${BENCH_AGENTS:-500}
idle=${BENCH_IDLE_VISITORS:-10000}
chats=${BENCH_CHATS:-2000}
rate=${BENCH_RATE:-5000}
messages=${BENCH_MESSAGES:-100}
scenarios=${BENCH_SCENARIOS:-connections throughput offers resync footprint}
port=${BENCH_PORT:-8790}
url="http://127.0.0.1:$port"
out="$SWITCHBOARD_ROOT/target/bench"
data=""
hub_pid=""

stop_hub() {
    if [ -n "$hub_pid" ] && kill -0 "$hub_pid" 2>/dev/null; then
        kill "$hub_pid" 2>/dev/null || true
        wait "$hub_pid" 2>/dev/null || true
    fi
    hub_pid=""
}
cleanup() {
    stop_hub
    if [ -n "$data" ]; then
        rm -rf "$data"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "Building the hub and the bench (release)"
cargo build --release -p switchboard-hub -p switchboard-bench --bins
bin="$(target_dir)/release"
hub="$bin/switchboard-hub"
bench="$bin/switchboard-bench"
if [ ! -x "$hub" ] || [ ! -x "$bench" ]; then
    die "release binaries missing in $bin"
fi

# One socket per simulated peer on each side; the hub inherits the limit.
want=$((agents + idle + chats + 4096))
ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
note "open-file limit: $(ulimit -n)"
[ "$(ulimit -n)" -ge "$want" ] || warn "open-file limit below $want: raise the hard limit to hold every connection"

mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
data=$(mktemp -d /tmp/switchboard-bench.XXXXXX)

step "Machine"
note "cores: $(nproc)"
note "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
note "kernel: $(uname -sr)"
free -g | sed 's/^/    /'
note "load average now: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shares the cores)"

step "Creating the bench workspace in $data"
"$bench" setup --data "$data" --agents "$agents" --departments 10 --max-chats 10

start_hub() {
    if curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null; then
        die "something already answers on $url; set BENCH_PORT"
    fi
    RUST_LOG=warn "$hub" serve --listen "127.0.0.1:$port" --data "$data" >"$data/hub-$1.log" 2>&1 &
    hub_pid=$!
    for _ in $(seq 150); do
        curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null && return 0
        kill -0 "$hub_pid" 2>/dev/null || {
            cat "$data/hub-$1.log" >&2
            die "the hub stopped during start-up"
        }
        sleep 0.2
    done
    die "the hub did not answer on $url"
}

# A fresh hub process per scenario, so its memory and CPU are that scenario's alone.
run_hub_scenario() {
    local scenario=$1
    shift
    step "Hub load: $scenario"
    start_hub "$scenario"
    "$bench" hub --url "$url" --hub-pid "$hub_pid" --scenario "$scenario" --agents "$agents" \
        --out "$out/hub-$scenario-$stamp.json" "$@"
    stop_hub
}

for scenario in $scenarios; do
    case $scenario in
        connections) run_hub_scenario connections --idle-visitors "$idle" ;;
        throughput) run_hub_scenario throughput --visitors "$chats" --rate "$rate/s" --messages "$messages" ;;
        offers) run_hub_scenario offers ;;
        resync)
            step "Resync: 1,000 events while the agent is offline"
            "$bench" resync --events 1000 --out "$out/resync-$stamp.json"
            ;;
        footprint)
            step "Desktop footprint: the app, signed in with 10 open chats and 100,000 cached messages, beside an empty Tauri window"
            npm_ci_if_stale "$SWITCHBOARD_ROOT/ui"
            npm --prefix ui run build
            cargo build --release -p switchboard
            # Outside the workspace; the same target dir, so it shares the app's dependencies.
            (cd bench/footprint/empty-window && CARGO_TARGET_DIR="$(target_dir)" cargo build --release)
            npm_ci_if_stale "$SWITCHBOARD_ROOT/widget/tests"
            SWITCHBOARD_APP_BIN="$bin/switchboard" SWITCHBOARD_HUB_BIN="$hub" \
                FOOTPRINT_EMPTY_BIN="$bin/switchboard-empty-window" FOOTPRINT_OUT="$out/footprint-$stamp.json" \
                scripts/lib/desktop-session.sh node bench/footprint/run.mjs
            ;;
        *) die "unknown scenario $scenario" ;;
    esac
done

step "Results in ${out#"$SWITCHBOARD_ROOT"/}/ (*-$stamp.json); method and targets in docs/performance.md"
