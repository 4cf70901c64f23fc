#!/usr/bin/env bash
# Throwaway PostgreSQL 15 clusters for tests, benchmarks and the demo.
#
#   scripts/pg-cluster.sh start DIR [--plugin-dir PATH] [--set name=value]...
#       initdb + start as the unprivileged 'postgres' OS user (initdb refuses root),
#       on a free port, wal_level=logical, the pgtrail plugin allowed to decode.
#       Prints the port; DIR/port and DIR/env hold it too.
#   scripts/pg-cluster.sh stop DIR [fast|immediate]
#   scripts/pg-cluster.sh restart DIR [fast|immediate]
#   scripts/pg-cluster.sh destroy DIR      stop and remove DIR
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-pg_config}
BIN=$("$PG_CONFIG" --bindir)
RUN_AS=${PGTRAIL_CLUSTER_USER:-postgres}

die() { echo "pg-cluster: $*" >&2; exit 1; }

as_user() {
    # From /: the caller's directory may be closed to the server's user.
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$RUN_AS" -- "$@"); else "$@"; fi
}

# The server loads the plugin from a copy inside the cluster's directory: the build directory
# (e.g. a clone under a mode-700 mktemp dir) may be closed to the server's user.
copy_plugins() {
    local from=$1 to=$2
    mkdir -p "$to"
    compgen -G "$from/*.so" >/dev/null || die "no .so file in $from (build the plugin first)"
    cp "$from"/*.so "$to"/
    chmod 755 "$to"; chmod 644 "$to"/*.so
}

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
    local port
    for _ in $(seq 1 200); do
        port=$(( 20000 + RANDOM % 40000 ))
        if port_is_free "$port"; then echo "$port"; return; fi
    done
    die "no free TCP port found"
}

# output_plugin_libraries exists from 15.19 on; older servers have no such allow list.
server_has_setting() {
    local names
    names=$(as_user "$BIN/postgres" --describe-config 2>/dev/null | cut -f1)
    grep -qx "$1" <<<"$names"
}

write_config() {
    local dir=$1 port=$2 plugin_dir=$3; shift 3
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$dir'"
        echo "wal_level = logical"
        echo "max_replication_slots = 32"
        echo "max_wal_senders = 32"
        echo "wal_sender_timeout = 60s"
        echo "fsync = off                      # throwaway cluster: speed over durability"
        echo "synchronous_commit = on"
        echo "logging_collector = off"
        echo "log_min_messages = warning"
        echo "lc_messages = 'C'"
        if [ -n "$plugin_dir" ]; then echo "dynamic_library_path = '$plugin_dir:\$libdir'"; fi
        if server_has_setting output_plugin_libraries; then
            echo "output_plugin_libraries = 'pgoutput, test_decoding, pgtrail, wal2json, decoderbufs'"
        fi
        for setting in "$@"; do echo "$setting"; done
    } >> "$dir/data/postgresql.conf"
}

start_cluster() {
    local dir=$1; shift
    local plugin_dir="" settings=()
    while [ $# -gt 0 ]; do
        case $1 in
            --plugin-dir) plugin_dir=$(realpath "$2"); shift 2 ;;
            --set) settings+=("$2"); shift 2 ;;
            *) die "unknown option $1" ;;
        esac
    done
    mkdir -p "$dir"
    dir=$(realpath "$dir")
    [ -e "$dir/data" ] && die "$dir/data exists already"
    chown "$RUN_AS" "$dir" 2>/dev/null || true
    # The server user must be able to reach the plugin and the socket directory.
    chmod 755 "$dir"
    if [ "$(id -u)" = 0 ] && ! runuser -u "$RUN_AS" -- test -w "$dir"; then
        die "user $RUN_AS cannot write to $dir: every parent directory must be searchable by it (chmod 755)"
    fi
    if [ -n "$plugin_dir" ]; then copy_plugins "$plugin_dir" "$dir/lib"; plugin_dir=$dir/lib; fi
    as_user "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    local port
    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        cp "$dir/data/postgresql.conf" "$dir/postgresql.conf.orig" 2>/dev/null || true
        write_config "$dir" "$port" "$plugin_dir" "${settings[@]+"${settings[@]}"}"
        if as_user "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
            echo "$port" > "$dir/port"
            printf 'PGHOST=127.0.0.1\nPGPORT=%s\nPGUSER=postgres\nPGDATABASE=postgres\n' "$port" > "$dir/env"
            echo "$port"
            return
        fi
        cp "$dir/postgresql.conf.orig" "$dir/data/postgresql.conf"
    done
    tail -20 "$dir/server.log" >&2 || true
    die "server did not start"
}

stop_cluster() {
    local dir=$1 mode=${2:-fast}
    [ -d "$dir/data" ] || return 0
    as_user "$BIN/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
}

restart_cluster() {
    local dir=$1 mode=${2:-fast}
    stop_cluster "$dir" "$mode"
    as_user "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || die "restart failed"
}

cmd=${1:-}; shift || true
case $cmd in
    start) [ $# -ge 1 ] || die "usage: start DIR [options]"; start_cluster "$@" ;;
    stop) [ $# -ge 1 ] || die "usage: stop DIR [fast|immediate]"; stop_cluster "$@" ;;
    restart) [ $# -ge 1 ] || die "usage: restart DIR [fast|immediate]"; restart_cluster "$@" ;;
    destroy) [ $# -ge 1 ] || die "usage: destroy DIR"; stop_cluster "$1" immediate; rm -rf "$1" ;;
    *) die "usage: pg-cluster.sh start|stop|restart|destroy DIR ..." ;;
esac
