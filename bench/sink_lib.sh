# Helpers for the benchmarks that run the sink, `pgtrail run` (sourced after lib.sh).

SINK_SRC=$BUILD_DIR/sink-src      # the committed tree (git archive HEAD): others' uncommitted edits stay out
SINK_BUILD=$BUILD_DIR/sink-build
SINK_BIN=${PGTRAIL_SINK:-$SINK_BUILD/sink/pgtrail}
SINK_PID=""

# Builds the sink (Release) from a snapshot of the committed HEAD, unless PGTRAIL_SINK
# names a binary to use instead. Prints the commit it was built from.
build_sink() {
    if [ -n "${PGTRAIL_SINK:-}" ]; then
        [ -x "$PGTRAIL_SINK" ] || die "PGTRAIL_SINK=$PGTRAIL_SINK is not an executable"
        SINK_COMMIT="(prebuilt $PGTRAIL_SINK)"
        return
    fi
    SINK_COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
    mkdir -p "$SINK_SRC" "$SINK_BUILD"
    # Only files that differ from the last snapshot are copied (and so rebuilt).
    rm -rf "$SINK_SRC.new"; mkdir -p "$SINK_SRC.new"
    git -C "$ROOT" archive HEAD | tar -x -C "$SINK_SRC.new"
    local file
    while IFS= read -r file; do
        cmp -s "$SINK_SRC.new/$file" "$SINK_SRC/$file" && continue
        mkdir -p "$(dirname "$SINK_SRC/$file")"
        cp "$SINK_SRC.new/$file" "$SINK_SRC/$file"
    done < <(cd "$SINK_SRC.new" && find . -type f)
    rm -rf "$SINK_SRC.new"
    log "building the sink at $SINK_COMMIT into $SINK_BUILD"
    cmake -S "$SINK_SRC" -B "$SINK_BUILD" -DCMAKE_BUILD_TYPE=Release >"$SINK_BUILD/build.log" 2>&1 \
        || { tail -20 "$SINK_BUILD/build.log" >&2; die "cmake configure failed"; }
    cmake --build "$SINK_BUILD" --target pgtrail -j"$(nproc)" >>"$SINK_BUILD/build.log" 2>&1 \
        || { tail -20 "$SINK_BUILD/build.log" >&2; die "building the sink failed"; }
    [ -x "$SINK_BIN" ] || die "no $SINK_BIN after the build"
}

source_conn() { echo "host=$PGHOST port=$PGPORT user=postgres dbname=${PGDATABASE:-postgres}"; }

# start_sink LOG [pgtrail run options...]: the sink in the background (SINK_PID).
start_sink() {
    local log=$1; shift
    "$SINK_BIN" run --source "$(source_conn)" "$@" >>"$log" 2>&1 &
    SINK_PID=$!
}

# stop_sink: SIGTERM, then wait (SIGKILL after 30 s).
stop_sink() {
    [ -n "$SINK_PID" ] || return 0
    kill -TERM "$SINK_PID" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$SINK_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=""
}

# Peak resident memory of the running sink, in kB (VmHWM).
sink_peak_rss_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$SINK_PID/status"; }

sink_alive() { [ -n "$SINK_PID" ] && kill -0 "$SINK_PID" 2>/dev/null; }

# wait_for SQL EXPECTED SECONDS: until SQL returns EXPECTED, checked every 50 ms in one server session
# (poll_until) that hands back every 2 s to see whether the sink is still alive. Sets WAIT_SEEN to
# the epoch at which it matched (the server's clock, this machine's). Fails the run if the sink died
# or time ran out.
wait_for() {
    local sql=$1 expected=$2 seconds=$3 got="" deadline=$((SECONDS + $3))
    while [ $SECONDS -lt $deadline ]; do
        got=$(poll_until "$sql" "$expected" 2)
        case $got in
            "seen "*) WAIT_SEEN=${got#seen }; return 0 ;;
            "failed "*) sleep 0.2 ;;  # e.g. the table is not created yet
        esac
        if [ -n "$SINK_PID" ] && ! sink_alive; then die "the sink exited (see its log)"; fi
    done
    die "timed out after ${seconds}s waiting for [$sql] = $expected (${got:-nothing})"
}

now_epoch() { date +%s.%N; }
