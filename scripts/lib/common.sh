# Sourced by the scripts in scripts/: paths, messages, and the tools' PATH.
# shellcheck shell=bash

SWITCHBOARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export SWITCHBOARD_ROOT

# Tools that setup.sh may have installed since this shell started.
for dir in "${CARGO_HOME:-$HOME/.cargo}/bin" /usr/local/bin; do
    case ":$PATH:" in
        *":$dir:"*) ;;
        *) [ -d "$dir" ] && PATH="$dir:$PATH" ;;
    esac
done
export PATH

# Where cargo puts binaries: CARGO_TARGET_DIR when set, else ./target.
target_dir() {
    printf '%s\n' "${CARGO_TARGET_DIR:-$SWITCHBOARD_ROOT/target}"
}

if [ -t 1 ]; then
    _bold=$'\033[1m' _red=$'\033[31m' _yellow=$'\033[33m' _reset=$'\033[0m'
else
    _bold='' _red='' _yellow='' _reset=''
fi

step() { printf '\n%s==> %s%s\n' "$_bold" "$*" "$_reset"; }
note() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$_yellow" "$_reset" "$*" >&2; }
die() {
    printf '%serror:%s %s\n' "$_red" "$_reset" "$*" >&2
    exit 1
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "'$*' needs root, and sudo is not installed. Run it as root, or install sudo."
    fi
}

# Seconds since the script started, for the per-stage times in the summaries.
elapsed() {
    local s=$SECONDS
    printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# Runs `npm ci` in DIR unless its node_modules already matches package.json and
# package-lock.json (a stamp of both is kept inside node_modules).
npm_ci_if_stale() {
    local dir=$1 stamp want
    stamp="$dir/node_modules/.switchboard-installed"
    want=$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        note "npm packages in ${dir#"$SWITCHBOARD_ROOT"/} are up to date"
        return 0
    fi
    step "Installing npm packages in ${dir#"$SWITCHBOARD_ROOT"/} (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund) || return
    printf '%s\n' "$want" >"$stamp"
}
