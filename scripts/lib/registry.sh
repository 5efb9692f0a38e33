#!/usr/bin/env bash
# Container registries on 127.0.0.1 for tests, the demo and CI (CNCF distribution 2.8 from Debian).
#
#   registry.sh install    apt-install what is needed (skipped when everything is there)
#   registry.sh start      start (idempotent, fast when already running):
#                            plain HTTP, no auth          127.0.0.1:5000  (also used by the build pipeline)
#                            HTTPS (own CA) + htpasswd    127.0.0.1:5443
#                            Bearer token auth            127.0.0.1:5002, token server 127.0.0.1:5600
#   registry.sh fixtures   push the test images (OCI manifest, Docker v2, OCI index, Docker manifest
#                          list, partial index) with skopeo/buildah; skipped when already there
#   registry.sh env        KEY=VALUE lines describing the running servers
#   registry.sh status     what runs
#   registry.sh stop       stop what start started (by recorded PID, never by name)
#
# Called by scripts/infra.sh with INFRA_DIR exported; runs standalone too (same default as infra.sh).
# All state lives in $INFRA_DIR/registry. Addresses can be moved with REGISTRY_PLAIN_ADDR,
# REGISTRY_TLS_ADDR, REGISTRY_TOKEN_ADDR, REGISTRY_TOKEN_SERVER_PORT.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"
REPO_ROOT="${REPO_ROOT:-$(cd "$here/../.." && pwd)}"
INFRA_DIR="${INFRA_DIR:-${IMAGESPEC_INFRA_DIR:-$REPO_ROOT/.infra}}"
R="$INFRA_DIR/registry"
PLAIN_ADDR="${REGISTRY_PLAIN_ADDR:-127.0.0.1:5000}"
TLS_ADDR="${REGISTRY_TLS_ADDR:-127.0.0.1:5443}"
TOKEN_ADDR="${REGISTRY_TOKEN_ADDR:-127.0.0.1:5002}"
TOKEN_SRV_PORT="${REGISTRY_TOKEN_SERVER_PORT:-5600}"
TOKEN_REALM="http://127.0.0.1:$TOKEN_SRV_PORT/token"
TOKEN_SERVICE="imagespec-test-registry"
REG_USER="imagespec"
FIXTURE_REPO="imagespec-test/app"
FIXTURES_VERSION=1
PKGS="docker-registry apache2-utils openssl skopeo umoci buildah busybox-static curl ca-certificates"

log() { printf '[registry %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ---------------------------------------------------------------- install
do_install() { apt_ensure $PKGS; }

# ---------------------------------------------------------------- processes
# A PID counts as ours only while it is alive, not a zombie, and its command line names our state dir.
ours() { pid_matches "$1" -F "$R/"; }
running() { [ -f "$R/pids/$1.pid" ] && ours "$(cat "$R/pids/$1.pid")"; }

start_bg() { # name cmd... ; pid in pids/name.pid, output in logs/name.log
  local name=$1; shift
  running "$name" && return 0
  nohup "$@" > "$R/logs/$name.log" 2>&1 < /dev/null 8>&- 9>&- &   # lock fds must not outlive us
  echo $! > "$R/pids/$name.pid"
}

port_owner() { ss -ltnpH "sport = :${1##*:}" 2>/dev/null | grep -o 'users:.*' | head -1 || true; }

wait_ready() { # name url [curl args]
  local name=$1 url=$2; shift 2
  local code
  for _ in $(seq 1 200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true)
    case $code in 200|401) return 0 ;; esac
    running "$name" || break
    sleep 0.05
  done
  die "$name not ready at $url (see $R/logs/$name.log): $(tail -n 3 "$R/logs/$name.log" 2>/dev/null | tr '\n' ' ')"
}

registry_config() { # file addr storage [extra yaml]
  cat > "$1" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $3
  delete:
    enabled: true
http:
  addr: $2
  secret: imagespec-test-only-not-a-secret
${4:-}
EOF
}

make_secrets() {
  mkdir -p "$R/auth" "$R/tls" "$R/ca" "$R/token"
  [ -s "$R/auth/password" ] || { umask 077; openssl rand -hex 16 > "$R/auth/password"; }
  local pass; pass=$(cat "$R/auth/password")
  if [ ! -s "$R/auth/htpasswd" ]; then
    htpasswd -Bbn "$REG_USER" "$pass" > "$R/auth/htpasswd"   # bcrypt is the only format distribution accepts
    printf '%s:%s\n' "$REG_USER" "$pass" > "$R/auth/users"
    chmod 600 "$R/auth/users"
  fi
  # A CA of our own and a server certificate it signs (SAN localhost + 127.0.0.1).
  if [ ! -s "$R/tls/server.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=imagespec-test-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$R/tls/ca.key" -out "$R/tls/ca.crt" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout "$R/tls/server.key" -out "$R/tls/server.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > "$R/tls/server.ext"
    openssl x509 -req -in "$R/tls/server.csr" -CA "$R/tls/ca.crt" -CAkey "$R/tls/ca.key" -CAcreateserial \
      -days 825 -extfile "$R/tls/server.ext" -out "$R/tls/server.crt" 2>/dev/null
  fi
  # containers-image tools want a directory that holds only CA files (a *.key there means client auth).
  cp "$R/tls/ca.crt" "$R/ca/ca.crt"
  # Token signing key and the self-signed certificate the registry trusts (rootcertbundle).
  if [ ! -s "$R/token/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=imagespec-test-token-issuer" \
      -keyout "$R/token/key.pem" -out "$R/token/cert.pem" 2>/dev/null
  fi
}

do_start() {
  local t0; t0=$(date +%s%N)
  mkdir -p "$R/pids" "$R/logs" "$R/conf"
  exec 9> "$R/lock"
  flock -w 120 9 || die "could not lock $R/lock"

  if running registry-plain && running registry-tls && running token-server && running registry-token; then
    if curl -s -o /dev/null --max-time 2 "http://$PLAIN_ADDR/v2/"; then
      log "already running"; return 0
    fi
  fi
  command -v docker-registry >/dev/null || die "docker-registry missing: run '$0 install' first"
  make_secrets

  local name addr
  for name in registry-plain:$PLAIN_ADDR registry-tls:$TLS_ADDR registry-token:$TOKEN_ADDR token-server:127.0.0.1:$TOKEN_SRV_PORT; do
    addr=${name#*:}; name=${name%%:*}
    if ! running "$name" && [ -n "$(port_owner "$addr")" ]; then
      die "port $addr is taken by another process ($(port_owner "$addr")); not started by this INFRA_DIR ($INFRA_DIR)"
    fi
  done

  registry_config "$R/conf/plain.yml" "$PLAIN_ADDR" "$R/storage-plain"
  start_bg registry-plain docker-registry serve "$R/conf/plain.yml"

  registry_config "$R/conf/tls.yml" "$TLS_ADDR" "$R/storage-tls" "  tls:
    certificate: $R/tls/server.crt
    key: $R/tls/server.key
auth:
  htpasswd:
    realm: imagespec-test
    path: $R/auth/htpasswd"
  start_bg registry-tls docker-registry serve "$R/conf/tls.yml"

  start_bg token-server env TOKEN_PORT="$TOKEN_SRV_PORT" TOKEN_KEY="$R/token/key.pem" TOKEN_CERT="$R/token/cert.pem" \
    TOKEN_USERS_FILE="$R/auth/users" TOKEN_ISSUER=imagespec-test-issuer \
    node "$REPO_ROOT/scripts/token-server/server.mjs" "$R/token/"
  registry_config "$R/conf/token.yml" "$TOKEN_ADDR" "$R/storage-token" "auth:
  token:
    realm: $TOKEN_REALM
    service: $TOKEN_SERVICE
    issuer: imagespec-test-issuer
    rootcertbundle: $R/token/cert.pem"
  start_bg registry-token docker-registry serve "$R/conf/token.yml"

  wait_ready registry-plain "http://$PLAIN_ADDR/v2/"
  wait_ready registry-tls "https://$TLS_ADDR/v2/" --cacert "$R/ca/ca.crt"
  wait_ready token-server "http://127.0.0.1:$TOKEN_SRV_PORT/token?service=$TOKEN_SERVICE"
  wait_ready registry-token "http://$TOKEN_ADDR/v2/"
  log "started in $(ms_since "$t0") ms"
}

do_stop() {
  [ -d "$R/pids" ] || return 0
  local f pid
  for f in "$R"/pids/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if ours "$pid"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do ours "$pid" || break; sleep 0.05; done
      ours "$pid" && { log "pid $pid ignored TERM, sending KILL"; kill -9 "$pid" 2>/dev/null || true; }
    fi
    rm -f "$f"
  done
  log "stopped"
}

do_status() {
  local n rc=0
  for n in registry-plain registry-tls token-server registry-token; do
    if running "$n"; then echo "$n: running (pid $(cat "$R/pids/$n.pid"))"; else echo "$n: not running"; rc=1; fi
  done
  return $rc
}

do_env() {
  local pass=""
  [ -s "$R/auth/password" ] && pass=$(cat "$R/auth/password")
  cat <<EOF
REGISTRY_PLAIN=$PLAIN_ADDR
REGISTRY_TLS=$TLS_ADDR
REGISTRY_TLS_CA=$R/ca/ca.crt
REGISTRY_TLS_CERT_DIR=$R/ca
REGISTRY_TOKEN=$TOKEN_ADDR
REGISTRY_TOKEN_REALM=$TOKEN_REALM
REGISTRY_TOKEN_SERVICE=$TOKEN_SERVICE
REGISTRY_USER=$REG_USER
REGISTRY_PASSWORD=$pass
REGISTRY_FIXTURE_REPO=$FIXTURE_REPO
EOF
}

# ---------------------------------------------------------------- test images
# Two tiny busybox images (linux/amd64 and linux/arm64 configs) made without any external registry,
# then pushed in every manifest form the checker must recognise.
build_fixture_layout() {
  local w="$R/fixtures/work" layout="$R/fixtures/oci"
  [ -f "$layout/index.json" ] && [ -f "$R/fixtures/layout.v$FIXTURES_VERSION" ] && return 0
  rm -rf "$w" "$layout"; mkdir -p "$w/rootfs/bin" "$w/rootfs/etc"
  cp "$(command -v busybox)" "$w/rootfs/bin/busybox"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$w/rootfs/etc/passwd"
  umoci init --layout "$layout"
  local arch
  for arch in amd64 arm64; do
    umoci new --image "$layout:$arch"
    umoci unpack --rootless --image "$layout:$arch" "$w/bundle-$arch" >/dev/null
    cp -a "$w/rootfs/." "$w/bundle-$arch/rootfs/"
    echo "$arch" > "$w/bundle-$arch/rootfs/etc/imagespec-fixture-arch"
    umoci repack --image "$layout:$arch" "$w/bundle-$arch"
    umoci config --image "$layout:$arch" --config.cmd /bin/sh --config.env PATH=/bin --architecture "$arch" --os linux
  done
  rm -rf "$w"
  touch "$R/fixtures/layout.v$FIXTURES_VERSION"
}

head_code() { # addr tag [curl args]
  local addr=$1 tag=$2; shift 2
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -I "$@" \
    -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json' \
    "$addr/v2/$FIXTURE_REPO/manifests/$tag" || true
}

token_for() { # scope -> bearer token for the token registry (with the test user)
  curl -s --max-time 5 -u "$REG_USER:$(cat "$R/auth/password")" \
    "$TOKEN_REALM?service=$TOKEN_SERVICE&scope=$1" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

fixtures_present() {
  local pass tok
  pass=$(cat "$R/auth/password")
  [ "$(head_code "http://$PLAIN_ADDR" partial-index)" = 200 ] || return 1
  [ "$(head_code "https://$TLS_ADDR" docker-v2 --cacert "$R/ca/ca.crt" -u "$REG_USER:$pass")" = 200 ] || return 1
  tok=$(token_for "repository:$FIXTURE_REPO:pull")
  [ "$(head_code "http://$TOKEN_ADDR" oci-index -H "Authorization: Bearer $tok")" = 200 ] || return 1
}

do_fixtures() {
  local t0; t0=$(date +%s%N)
  mkdir -p "$R/fixtures"
  exec 8> "$R/fixtures.lock"
  flock -w 300 8 || die "could not lock $R/fixtures.lock"
  if fixtures_present; then log "fixtures present"; return 0; fi
  build_fixture_layout
  # Neither an outer DOCKER_CONFIG nor REGISTRY_AUTH_FILE may leak into the tools (buildah even
  # fails when DOCKER_CONFIG names a directory without config.json).
  local pass layout="$R/fixtures/oci"
  pass=$(cat "$R/auth/password")
  local -a B=(env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE -u CONTAINERS_REGISTRIES_CONF buildah
    --root "$R/fixtures/storage" --runroot "$R/fixtures/run" --storage-driver vfs)
  local -a S=(env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE -u CONTAINERS_REGISTRIES_CONF skopeo)

  local dest addr tlsargs
  for dest in "plain|http://$PLAIN_ADDR" "tls|https://$TLS_ADDR" "token|http://$TOKEN_ADDR"; do
    addr=${dest#*|}; addr=${addr#*://}
    case ${dest%%|*} in
      plain) tlsargs=(--dest-tls-verify=false) ;;
      tls) tlsargs=(--dest-cert-dir "$R/ca" --dest-creds "$REG_USER:$pass") ;;
      token) tlsargs=(--dest-tls-verify=false --dest-creds "$REG_USER:$pass") ;;
    esac
    # single-platform forms
    "${S[@]}" copy -q "${tlsargs[@]}" "oci:$layout:amd64" "docker://$addr/$FIXTURE_REPO:oci-manifest"
    "${S[@]}" copy -q "${tlsargs[@]}" --format v2s2 "oci:$layout:amd64" "docker://$addr/$FIXTURE_REPO:docker-v2"
    "${S[@]}" copy -q "${tlsargs[@]}" "oci:$layout:arm64" "docker://$addr/$FIXTURE_REPO:arm64-manifest"

    # multi-platform forms through buildah manifest lists
    local mtls
    case ${dest%%|*} in
      plain) mtls=(--tls-verify=false) ;;
      tls) mtls=(--cert-dir "$R/ca" --creds "$REG_USER:$pass") ;;
      token) mtls=(--tls-verify=false --creds "$REG_USER:$pass") ;;
    esac
    "${B[@]}" manifest rm imagespec-fixture-full >/dev/null 2>&1 || true
    "${B[@]}" manifest rm imagespec-fixture-partial >/dev/null 2>&1 || true
    "${B[@]}" manifest create imagespec-fixture-full >/dev/null
    "${B[@]}" manifest add imagespec-fixture-full "oci:$layout:amd64" >/dev/null
    "${B[@]}" manifest add imagespec-fixture-full "oci:$layout:arm64" >/dev/null
    "${B[@]}" manifest push -q --all --format oci "${mtls[@]}" imagespec-fixture-full "docker://$addr/$FIXTURE_REPO:oci-index"
    "${B[@]}" manifest push -q --all --format v2s2 "${mtls[@]}" imagespec-fixture-full "docker://$addr/$FIXTURE_REPO:docker-list"
    "${B[@]}" manifest create imagespec-fixture-partial >/dev/null
    "${B[@]}" manifest add imagespec-fixture-partial "oci:$layout:amd64" >/dev/null
    "${B[@]}" manifest push -q --all --format oci "${mtls[@]}" imagespec-fixture-partial "docker://$addr/$FIXTURE_REPO:partial-index"
    "${B[@]}" manifest push -q --all --format v2s2 "${mtls[@]}" imagespec-fixture-partial "docker://$addr/$FIXTURE_REPO:partial-list"
  done
  fixtures_present || die "fixtures pushed but not visible"
  log "fixtures pushed in $(ms_since "$t0") ms"
}

case "${1:-}" in
  install) do_install ;;
  start) do_start ;;
  fixtures) do_fixtures ;;
  stop) do_stop ;;
  env) do_env ;;
  status) do_status ;;
  *) echo "usage: $0 install|start|fixtures|env|status|stop" >&2; exit 2 ;;
esac
