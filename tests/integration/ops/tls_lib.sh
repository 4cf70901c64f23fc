# make_tls_files DIR: a throwaway CA (ca.crt), another CA (other.crt) and a server certificate for
# "localhost" signed by the first (server.crt, server.key readable by the cluster's postgres user).
make_tls_files() {
    local dir=$1
    mkdir -p "$dir"
    chmod 755 "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pgtrail test CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=another CA" -keyout "$dir/other.key" -out "$dir/other.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
    printf 'subjectAltName = DNS:localhost\n' >"$dir/san.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/san.ext" -out "$dir/server.crt" 2>/dev/null
    chmod 600 "$dir/server.key"
    chown postgres "$dir/server.key" "$dir/server.crt" 2>/dev/null || true
}
