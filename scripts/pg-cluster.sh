#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests, benchmarks and the demo (the major of PG_CONFIG,
# default the pg_config on PATH; inside a chroot through scripts/pg-chroot-cluster.sh).
#
#   scripts/pg-cluster.sh start DIR [--plugin-dir PATH] [--set name=value]...
#       initdb + start as the unprivileged 'postgres' OS user (initdb refuses root),
#       on a free port, wal_level=logical, the pgtrail plugin allowed to decode.
#       Without --plugin-dir the server loads the plugin installed in its $libdir.
#       Prints the port; DIR/port and DIR/env hold it too.
#   scripts/pg-cluster.sh standby DIR --primary-port PORT --slot NAME [--set name=value]...
#       a physical standby of the primary on 127.0.0.1:PORT (pg_basebackup, which creates the
#       physical slot NAME there), streaming through that slot; prints its port
#   scripts/pg-cluster.sh promote DIR      the standby becomes a primary (waits for it)
#   scripts/pg-cluster.sh crash DIR        SIGKILL to the postmaster (its backends die with it)
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

# Below the kernel's ephemeral range: a port in it can be taken by an outgoing connection between
# the check and the bind, or while a test has the server stopped for a restart on the same port.
pick_port() {
    local port low span
    read -r low _ </proc/sys/net/ipv4/ip_local_port_range
    span=$(( low > 11000 ? low - 10000 : 20000 ))
    for _ in $(seq 1 200); do
        port=$(( 10000 + RANDOM % span ))
        [ "$port" = 4222 ] && continue  # the system NATS service's port
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
    dir=$(prepare_dir "$dir")
    if [ -n "$plugin_dir" ]; then copy_plugins "$plugin_dir" "$dir/lib"; plugin_dir=$dir/lib; fi
    as_user "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    configure_and_start "$dir" "$plugin_dir" "${settings[@]+"${settings[@]}"}"
}

# prepare_dir DIR: DIR (made, absolute) owned by and reachable for the server's user.
prepare_dir() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(realpath "$dir")
    [ -e "$dir/data" ] && die "$dir/data exists already"
    chown "$RUN_AS" "$dir" 2>/dev/null || true
    # The server user must be able to reach the plugin and the socket directory.
    chmod 755 "$dir"
    if [ "$(id -u)" = 0 ] && ! runuser -u "$RUN_AS" -- test -w "$dir"; then
        die "user $RUN_AS cannot write to $dir: every parent directory must be searchable by it (chmod 755)"
    fi
    echo "$dir"
}

# configure_and_start DIR PLUGIN_DIR [SETTING...]: a free port, the settings, started; prints the port.
configure_and_start() {
    local dir=$1 plugin_dir=$2; shift 2
    local port
    for attempt in 1 2 3 4 5; do
        port=$(pick_port)
        cp "$dir/data/postgresql.conf" "$dir/postgresql.conf.orig" 2>/dev/null || true
        write_config "$dir" "$port" "$plugin_dir" "$@"
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

# A physical standby: the primary's files and settings, its own port and socket directory; slot
# synchronization (17+) needs a dbname in primary_conninfo.
start_standby() {
    local dir=$1; shift
    local primary_port="" slot="" settings=()
    while [ $# -gt 0 ]; do
        case $1 in
            --primary-port) primary_port=$2; shift 2 ;;
            --slot) slot=$2; shift 2 ;;
            --set) settings+=("$2"); shift 2 ;;
            *) die "unknown option $1" ;;
        esac
    done
    [ -n "$primary_port" ] && [ -n "$slot" ] || die "standby needs --primary-port and --slot"
    dir=$(prepare_dir "$dir")
    as_user "$BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/data" -X stream \
        -C -S "$slot" --no-sync >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; die "pg_basebackup failed"; }
    touch "$dir/data/standby.signal"
    rm -f "$dir/data/postmaster.pid"
    configure_and_start "$dir" "" \
        "primary_conninfo = 'host=127.0.0.1 port=$primary_port user=postgres dbname=postgres application_name=standby'" \
        "primary_slot_name = '$slot'" "hot_standby = on" "${settings[@]+"${settings[@]}"}"
}

promote_cluster() {
    as_user "$BIN/pg_ctl" -D "$1/data" -w -t 60 promote >/dev/null || die "promote failed"
}

# crash DIR: the postmaster and all its processes get SIGKILL at once, as a machine losing
# power would leave them (a busy backend would otherwise go on committing for a while).
crash_cluster() {
    local pid children
    pid=$(head -1 "$1/data/postmaster.pid" 2>/dev/null) || die "no running server in $1"
    children=$(ps -o pid= --ppid "$pid" || true)
    # shellcheck disable=SC2086
    kill -KILL "$pid" $children 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
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
    standby) [ $# -ge 1 ] || die "usage: standby DIR --primary-port PORT --slot NAME"; start_standby "$@" ;;
    promote) [ $# -eq 1 ] || die "usage: promote DIR"; promote_cluster "$1" ;;
    crash) [ $# -eq 1 ] || die "usage: crash DIR"; crash_cluster "$1" ;;
    stop) [ $# -ge 1 ] || die "usage: stop DIR [fast|immediate]"; stop_cluster "$@" ;;
    restart) [ $# -ge 1 ] || die "usage: restart DIR [fast|immediate]"; restart_cluster "$@" ;;
    destroy) [ $# -ge 1 ] || die "usage: destroy DIR"; stop_cluster "$1" immediate; rm -rf "$1" ;;
    *) die "usage: pg-cluster.sh start|standby|promote|crash|stop|restart|destroy DIR ..." ;;
esac
