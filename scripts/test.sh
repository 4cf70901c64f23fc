#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The chroots of versions.pg17/18 (scripts/test-pg.sh) build in the background while the rest
# builds and runs (about 15 minutes each on a fresh machine; a cached one is reused at once);
# those tests wait for them.
mkdir -p build
chroots=()
for suite in trixie sid; do
    bash scripts/chroot.sh "$suite" >"build/chroot-$suite.log" 2>&1 &
    chroots+=($!)
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
status=0
ctest --test-dir build --output-on-failure --timeout 1800 || status=$?
wait "${chroots[@]}" 2>/dev/null || true
exit "$status"
