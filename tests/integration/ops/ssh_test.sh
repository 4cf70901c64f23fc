#!/usr/bin/env bash
# The SSH tunnel against a real sshd on 127.0.0.1 started here: pgtrail ssh-keygen makes the key
# (private key 0600, public key line printed for authorized_keys); pgtrail run --ssh-host streams
# through a supervised `ssh -N -L` (the walsender's peer is sshd); a killed ssh child is restarted by
# the reconnect logic; an unknown host key is refused; SIGTERM leaves no ssh process behind. The
# source uses TLS verify-full for host "localhost" through the tunnel (libpq connects to the tunnel's
# end by hostaddr and still checks the certificate against the real host name).
# Only loopback addresses are used. Needs openssh-server and openssh-client (scripts/install-deps.sh).
source "$PGTRAIL_SOURCE_DIR/tests/integration/sink/lib.sh"
source "$(dirname "$0")/tls_lib.sh"

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || fail "no sshd: apt-get install openssh-server (scripts/install-deps.sh)"
command -v ssh >/dev/null || fail "no ssh client: apt-get install openssh-client"
SSH_DIR=$WORK/ssh
mkdir -p "$SSH_DIR"
chmod 700 "$SSH_DIR"
SSHD_PID=""
trap '[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; cleanup' EXIT

echo "--- pgtrail ssh-keygen"
"$PGTRAIL" ssh-keygen --file "$SSH_DIR/pgtrail_key" --comment pgtrail-test >"$SSH_DIR/pub" 2>"$WORK/keygen.err"
cat "$SSH_DIR/pub" "$WORK/keygen.err"
grep -qE '^ssh-ed25519 [A-Za-z0-9+/=]+ pgtrail-test$' "$SSH_DIR/pub" || fail "no public key line"
expect_eq "private key mode" "$(stat -c %a "$SSH_DIR/pgtrail_key")" 600
expect_eq "the line is the key's" "$(cat "$SSH_DIR/pub")" "$(cat "$SSH_DIR/pgtrail_key.pub")"
cp "$SSH_DIR/pub" "$SSH_DIR/authorized_keys"

echo "--- sshd on 127.0.0.1"
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/impostor_key"
SSH_USER=$(id -un)
SSH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$SSH_DIR/sshd_config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
AllowUsers $SSH_USER
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowTcpForwarding local
PermitOpen 127.0.0.1:* localhost:*
PermitTTY no
X11Forwarding no
CONF
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd  # sshd's privilege separation directory
"$SSHD" -D -e -f "$SSH_DIR/sshd_config" 2>"$WORK/sshd.log" &
SSHD_PID=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$SSH_PORT") 2>/dev/null && break; sleep 0.1; done
kill -0 "$SSHD_PID" 2>/dev/null || { cat "$WORK/sshd.log"; fail "sshd did not start"; }
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSH_DIR/host_key.pub")" >"$SSH_DIR/known_hosts"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$SSH_DIR/impostor_key.pub")" >"$SSH_DIR/wrong_known_hosts"

make_tls_files "$WORK/tls"
start_cluster ssh --plugin-dir "$PLUGIN_DIR" --set "ssl = on" \
    --set "ssl_cert_file = '$WORK/tls/server.crt'" --set "ssl_key_file = '$WORK/tls/server.key'"
run "CREATE TABLE items (id int PRIMARY KEY, v text)"
# The database as the SSH server reaches it; the tunnel's end is what pgtrail connects to.
TLS_SOURCE="host=localhost port=$PORT user=postgres dbname=postgres sslmode=verify-full sslrootcert=$WORK/tls/ca.crt"
TUNNEL=(--ssh-host "$SSH_USER@127.0.0.1:$SSH_PORT" --ssh-identity "$SSH_DIR/pgtrail_key")

echo "--- an unknown host key is refused"
timeout 6 "$PGTRAIL" run --source "$(SOURCE_CONN)" "${TUNNEL[@]}" --ssh-known-hosts "$SSH_DIR/wrong_known_hosts" >"$WORK/out" 2>&1 || true
grep -q "Host key verification failed" "$WORK/out" || { cat "$WORK/out"; fail "wrong host key accepted?"; }
grep -m1 "Host key verification failed" "$WORK/out"
expect_eq "nothing streamed" "$(q "SELECT count(*) FROM pg_replication_slots")" 0
"$PGTRAIL" run --source "$(SOURCE_CONN)" --ssh-host "$SSH_USER@127.0.0.1:$SSH_PORT" >"$WORK/out" 2>&1 && fail "ran without --ssh-known-hosts"
grep -q "needs --ssh-known-hosts" "$WORK/out" || fail "no message about --ssh-known-hosts"

echo "--- pgtrail check and setup through the tunnel"
"$PGTRAIL" check --source "$TLS_SOURCE" "${TUNNEL[@]}" --ssh-known-hosts "$SSH_DIR/known_hosts" >"$WORK/check" 2>"$WORK/check.err" \
    || { cat "$WORK/check" "$WORK/check.err"; fail "check through the tunnel"; }
grep -E '^ok +(connection|end-to-end)' "$WORK/check"
grep -qE '^ok +connection +connected to localhost:[0-9]+/postgres as postgres, TLS' "$WORK/check" || fail "check did not use TLS"
grep -q "ssh tunnel: 127.0.0.1:" "$WORK/check.err" || fail "check did not open a tunnel"
"$PGTRAIL" setup --source "$TLS_SOURCE" "${TUNNEL[@]}" --ssh-known-hosts "$SSH_DIR/known_hosts" --no-slot --dry-run \
    >"$WORK/setup.sql" 2>/dev/null || fail "setup --dry-run through the tunnel"
grep -q '^CREATE PUBLICATION "pgtrail" FOR ALL TABLES;$' "$WORK/setup.sql" || fail "setup --dry-run through the tunnel planned no publication"
pgrep -x ssh -P $$ >/dev/null && fail "a tunnel of check or setup outlived it"

echo "--- streaming through the tunnel"
"$PGTRAIL" run --source "$TLS_SOURCE" "${TUNNEL[@]}" --ssh-known-hosts "$SSH_DIR/known_hosts" --log-level debug >>"$WORK/sink.log" 2>&1 &
SINK_PID=$!
wait_for "SELECT count(*) FROM pg_replication_slots WHERE active" 1
run "INSERT INTO items VALUES (1, 'through ssh')"
caught_up
expect_eq "change arrived" "$(q "SELECT after->>'v' FROM changes")" "through ssh"
grep -m1 "ssh tunnel: 127.0.0.1:" "$WORK/sink.log"
# The walsender's peer is sshd's forwarding socket, not pgtrail.
peer_port=$(q "SELECT client_port FROM pg_stat_activity WHERE backend_type = 'walsender'")
ss -tnpH "sport = :$peer_port" | tee "$WORK/peer"
grep -q '"sshd"' "$WORK/peer" || fail "the walsender's peer is not sshd"
expect_eq "TLS through the tunnel" \
    "$(q "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.backend_type = 'walsender'")" t

echo "--- the ssh child dies: restarted with the reconnect logic"
ssh_pid=$(pgrep -P "$SINK_PID" -x ssh)
[ -n "$ssh_pid" ] || fail "no ssh child"
kill -9 "$ssh_pid"
run "INSERT INTO items VALUES (2, 'after the tunnel died')"
caught_up 90
expect_eq "changes after the restart" "$(q "SELECT count(*) FROM changes")" 2
[ "$(grep -c "ssh tunnel: 127.0.0.1:" "$WORK/sink.log")" -ge 2 ] || fail "tunnel not restarted"
new_pid=$(pgrep -P "$SINK_PID" -x ssh)
[ -n "$new_pid" ] && [ "$new_pid" != "$ssh_pid" ] || fail "no new ssh child"

echo "--- SIGTERM leaves no ssh behind"
stop_sink
sleep 0.5
kill -0 "$new_pid" 2>/dev/null && fail "ssh child $new_pid still running"
echo "ok"
