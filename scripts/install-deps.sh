#!/usr/bin/env bash
# Installs what pgtrail needs from Debian 12's packages (run as root; skips what is there).
set -euo pipefail

PACKAGES=(
    postgresql-15 postgresql-server-dev-15 libpq-dev       # server, PGXS headers, libpq
    libsimdjson-dev libboost-dev libcli11-dev doctest-dev  # sink and tests
    cmake g++ make ca-certificates
    clang-14 libclang-rt-14-dev python3                   # fuzz smoke test (libFuzzer), chaos tests' TCP proxy
    openssh-client openssh-server openssl curl             # ops tests: SSH tunnel (sshd on 127.0.0.1), TLS, metrics
    jq chromium                                            # pgtrail ui: its API test, the browser test
    libnats-dev nats-server                                # run --nats and write (nats.c 3.4.1), the NATS tests' 3-node clusters
    mmdebstrap debian-archive-keyring                      # scripts/chroot.sh: PostgreSQL 17 and 18 (trixie, sid)
)
PACKAGES+=("$@")  # callers add their own (benchmarks: wal2json, decoderbufs, hyperfine)
# The page's build (ui/) needs Node.js and npm: Debian's only where the machine has none (a
# Node.js from elsewhere bundles npm and conflicts with Debian's npm package).
command -v npm >/dev/null || PACKAGES+=(nodejs npm)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# PostgreSQL's server and headers must be the same minor release.
server=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)
headers=$(dpkg-query -W -f='${Version}' postgresql-server-dev-15 2>/dev/null || true)
if [ -n "$server" ] && [ "$server" != "$headers" ]; then missing+=(postgresql-15 postgresql-server-dev-15); fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
