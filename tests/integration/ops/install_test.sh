#!/usr/bin/env bash
# cmake --install puts pgtrail, the SQL files and the systemd example under the prefix;
# pgtrail --version prints its version and the libraries it was built with; --help lists every command.
set -euo pipefail
: "${PGTRAIL_SOURCE_DIR:?run through ctest}" "${PGTRAIL_BINARY_DIR:?run through ctest}"
WORK=$(mktemp -d /tmp/pgtrail-install-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$PGTRAIL_BINARY_DIR" --prefix "$WORK/prefix" >"$WORK/install.log" || { cat "$WORK/install.log"; fail "cmake --install"; }
cat "$WORK/install.log"
PGTRAIL=$WORK/prefix/bin/pgtrail
[ -x "$PGTRAIL" ] || fail "no bin/pgtrail"
for f in changes.sql pgtrail_base.sql time_travel.sql revert.sql context.sql replica_identity.sql; do
    cmp "$PGTRAIL_SOURCE_DIR/sql/$f" "$WORK/prefix/share/pgtrail/sql/$f" || fail "share/pgtrail/sql/$f"
done
for f in pgtrail.service pgtrail.env OPERATIONS.md; do
    [ -f "$WORK/prefix/share/doc/pgtrail/$f" ] || fail "share/doc/pgtrail/$f"
done
grep -q '^ExecStart=/usr/local/bin/pgtrail run \$PGTRAIL_OPTIONS$' "$WORK/prefix/share/doc/pgtrail/pgtrail.service" || fail "unit ExecStart"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify "$WORK/prefix/share/doc/pgtrail/pgtrail.service" 2>&1 | grep -v "not found\|Executable" || true
fi

"$PGTRAIL" --version | tee "$WORK/version"
version=$(sed -n 's/^project(pgtrail VERSION \([0-9.]*\).*/\1/p' "$PGTRAIL_SOURCE_DIR/CMakeLists.txt")
expect() { grep -qE "$1" "$WORK/version" || fail "--version lacks [$1]"; }
expect "^pgtrail $version$"
expect '^libpq [0-9]+\.[0-9]+ \(TLS: OpenSSL\)$'
expect '^Boost 1\.[0-9]+\.[0-9]+'
expect '^simdjson [0-9]+\.[0-9]+\.[0-9]+$'
expect '^CLI11 [0-9.]+$'
expect '^built for PostgreSQL 15'
"$PGTRAIL" --help >"$WORK/help"
for command in run check setup teardown ssh-keygen; do
    grep -qE "^  $command " "$WORK/help" || fail "--help does not list $command"
    "$PGTRAIL" "$command" --help >/dev/null || fail "$command --help"
done
echo "ok"
