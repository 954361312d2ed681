#!/usr/bin/env bash
# Installs what Switchboard needs to build, run and test: system packages (Debian and
# Ubuntu, with apt-get), Rust (rustup), tauri-driver, Node.js, and the console's npm packages.
# Checks before it installs, so a second run takes a second or two.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RUST_MIN=1.94     # the workspace's rust-version
NODE_MIN=20.19    # Vite 7's floor
NODE_SERIES=22    # the Node.js LTS line installed when node is missing or too old

# Build: webkit2gtk and friends for Tauri. Tests: a virtual X display, D-Bus, a
# notification server, a secret store, ImageMagick for screenshots, WebKitWebDriver for
# the desktop end-to-end tests, Chromium for the widget's browser tests.
apt_packages=(
    build-essential pkg-config curl file ca-certificates xz-utils git xdg-utils
    libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
    xvfb xauth imagemagick webkit2gtk-driver dunst dbus-x11 gnome-keyring libsecret-tools
    chromium chromium-driver python3-pip
)

version_at_least() { # version_at_least HAVE WANT
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

setup_system_packages() {
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
        warn "this is not Debian or Ubuntu; install the equivalents of: ${apt_packages[*]}"
        return 0
    fi
    local missing=() package
    for package in "${apt_packages[@]}"; do
        installed "$package" || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        note "system packages are installed"
        return 0
    fi
    step "Installing system packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
}

setup_rust() {
    local have=""
    if command -v rustc >/dev/null 2>&1 && command -v cargo >/dev/null 2>&1; then
        have=$(rustc --version | cut -d' ' -f2)
    fi
    if [ -n "$have" ] && version_at_least "${have%%-*}" "$RUST_MIN"; then
        note "Rust $have is installed"
    elif command -v rustup >/dev/null 2>&1; then
        step "Updating Rust to the stable toolchain (have ${have:-none}, need $RUST_MIN)"
        rustup toolchain install stable --profile minimal --component rustfmt,clippy
        rustup default stable
    else
        step "Installing Rust with rustup (have ${have:-none}, need $RUST_MIN)"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
            sh -s -- -y --profile minimal --default-toolchain stable --component rustfmt,clippy
        PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
        export PATH
    fi
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        command -v rustup >/dev/null 2>&1 ||
            die "cargo fmt and cargo clippy are missing, and there is no rustup to add them"
        step "Adding rustfmt and clippy"
        rustup component add rustfmt clippy
    fi
}

# The desktop app's end-to-end tests drive it through tauri-driver, which runs
# WebKitWebDriver (webkit2gtk-driver, above).
setup_tauri_driver() {
    if command -v tauri-driver >/dev/null 2>&1; then
        note "tauri-driver is installed"
        return 0
    fi
    step "Installing tauri-driver (for the desktop end-to-end tests)"
    cargo install tauri-driver --version 2.1.0 --locked
}

# Installs the latest Node.js of NODE_SERIES from nodejs.org into PREFIX (default
# /usr/local), checked against its published SHA-256.
install_node() (
    local prefix=${1:-/usr/local} arch tmp file base="https://nodejs.org/dist/latest-v$NODE_SERIES.x"
    case "$(uname -m)" in
        x86_64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) die "no Node.js build for $(uname -m); install Node.js $NODE_MIN or newer by hand" ;;
    esac
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    curl -fsSL "$base/SHASUMS256.txt" -o "$tmp/SHASUMS256.txt" ||
        die "could not reach nodejs.org; install Node.js $NODE_MIN or newer by hand"
    file=$(grep -o "node-v[0-9.]*-linux-$arch\.tar\.xz" "$tmp/SHASUMS256.txt" | head -n1)
    [ -n "$file" ] || die "could not find a Linux $arch build of Node.js in $base"
    note "downloading $file"
    curl -fsSL "$base/$file" -o "$tmp/$file" || die "could not download $base/$file"
    (cd "$tmp" && grep " $file\$" SHASUMS256.txt | sha256sum --check --status) ||
        die "$file does not match its published SHA-256"
    as_root tar -xJf "$tmp/$file" -C "$prefix" --strip-components=1 --no-same-owner \
        --exclude='*/CHANGELOG.md' --exclude='*/README.md' --exclude='*/LICENSE'
)

setup_node() {
    local have=""
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        have=$(node --version)
        have=${have#v}
    fi
    if [ -n "$have" ] && version_at_least "$have" "$NODE_MIN"; then
        note "Node.js $have is installed"
        return 0
    fi
    step "Installing Node.js $NODE_SERIES into /usr/local (have ${have:-none}, need $NODE_MIN)"
    install_node /usr/local
    hash -r
    have=$(node --version)
    version_at_least "${have#v}" "$NODE_MIN" ||
        die "node is still ${have} after installing: is an older node earlier on PATH ($(command -v node))?"
}

# The hub's email tests talk to a real SMTP server on loopback: aiosmtpd, run by the
# tests with python3. pip where the python3 on PATH allows it (pyenv, venvs), else
# Debian's package for the system python3.
setup_python() {
    command -v python3 >/dev/null 2>&1 || die "python3 is missing; install python3"
    if python3 -c 'import aiosmtpd' 2>/dev/null; then
        note "aiosmtpd is installed"
        return 0
    fi
    step "Installing aiosmtpd (the SMTP server the email tests use)"
    python3 -m pip install --quiet --root-user-action=ignore aiosmtpd 2>/dev/null ||
        python3 -m pip install --quiet --user --break-system-packages aiosmtpd 2>/dev/null ||
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            python3-aiosmtpd
    python3 -c 'import aiosmtpd' 2>/dev/null ||
        die "aiosmtpd is still not importable by $(command -v python3)"
}

step "Checking what Switchboard needs"
setup_system_packages
setup_rust
setup_tauri_driver
setup_node
setup_python
npm_ci_if_stale "$SWITCHBOARD_ROOT/ui"
