#!/usr/bin/env bash
# postgresql-NN-pgtrail: the output plugin built against the PostgreSQL whose pg_config is given,
# packaged as a .deb. Runs where that major's headers are (the host for 15, its chroot for 17
# and 18: scripts/package.sh calls it).
#
#   scripts/packaging/plugin-deb.sh SOURCE_DIR OUT_DIR PG_CONFIG VERSION
set -euo pipefail
source "$(dirname "$0")/deb.sh"
src=$1 out=$2 pg_config=$3 version=$4
major=$("$pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
server=$(dpkg-query -W -f='${Version}' "postgresql-$major" 2>/dev/null || "$pg_config" --version)
work=$(mktemp -d /tmp/pgtrail-plugin-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/build" "$work/root"
make --no-print-directory -s -C "$work/build" -f "$src/Makefile.pgxs" PG_CONFIG="$pg_config" -j2 >"$work/make.log" 2>&1 \
    || { cat "$work/make.log" >&2; echo "plugin-deb: the plugin did not build against PostgreSQL $major" >&2; exit 1; }
grep -i 'warning' "$work/make.log" >&2 || true
make --no-print-directory -s -C "$work/build" -f "$src/Makefile.pgxs" PG_CONFIG="$pg_config" DESTDIR="$work/root" install >/dev/null
strip --strip-unneeded "$work/root$("$pg_config" --pkglibdir)/pgtrail.so"
install -D -m 644 "$src/docs/FORMAT.md" "$work/root/usr/share/doc/postgresql-$major-pgtrail/FORMAT.md"
install -D -m 644 "$src/README.md" "$work/root/usr/share/doc/postgresql-$major-pgtrail/README.md"

depends="postgresql-$major, $(deb_depends "$work/root$("$pg_config" --pkglibdir)/pgtrail.so")"
deb_build "$work/root" "$out" "postgresql-$major-pgtrail" "$version" "$depends" \
    "pgtrail logical decoding output plugin for PostgreSQL $major" \
    "JSON change records whose row images equal to_jsonb(row), for the pgtrail sink" \
    "(package pgtrail) or any logical replication client (pg_recvlogical --plugin pgtrail)." \
    "Built against PostgreSQL $server."
