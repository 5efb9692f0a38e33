#!/usr/bin/env bash
# BuildKit (buildkitd + buildctl) and docker buildx on 127.0.0.1, built from the Go module proxy.
#
#   buildkit.sh install   apt-install runc; build pinned buildkitd, buildctl, the Dockerfile frontend
#                         and buildx with the local Go (cached in $TOOLS_DIR/bin/<tool>-<version>);
#                         install buildx as a docker CLI plugin (/usr/local/lib/docker/cli-plugins)
#   buildkit.sh start     start buildkitd as root (OCI worker, runc, host network), idempotent, and
#                         create the buildx builder "imagespec" (remote driver) on it
#   buildkit.sh env       KEY=VALUE lines (BUILDKIT_HOST, BUILDX_BUILDER, BUILDX_CONFIG, ...)
#   buildkit.sh status    what runs
#   buildkit.sh stop      stop the buildkitd this INFRA_DIR started (by recorded PID, never by name)
#
# Called by scripts/infra.sh with INFRA_DIR and TOOLS_DIR exported; runs standalone too.
# Registry mirrors in buildkitd.toml: docker.io and ghcr.io resolve to 127.0.0.1:5000 (plain HTTP),
# which scripts/lib/seed.sh fills with the images the generated Dockerfiles need, so builds work
# offline. Knobs: IMAGESPEC_BUILDKIT_VERSION, IMAGESPEC_BUILDX_VERSION, IMAGESPEC_BUILDKIT_SNAPSHOTTER
# (auto|overlayfs|native), IMAGESPEC_BUILDKIT_TCP (default 127.0.0.1:1234; "off" disables),
# IMAGESPEC_BUILDX_BUILDER (default imagespec), IMAGESPEC_REGISTRY_MIRROR (default 127.0.0.1:5000).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"
REPO_ROOT="${REPO_ROOT:-$(cd "$here/../.." && pwd)}"
INFRA_DIR="${INFRA_DIR:-${IMAGESPEC_INFRA_DIR:-$REPO_ROOT/.infra}}"
TOOLS_DIR="${TOOLS_DIR:-${IMAGESPEC_TOOLS_DIR:-/var/cache/imagespec-action}}"

BUILDKIT_VERSION="${IMAGESPEC_BUILDKIT_VERSION:-v0.34.2}"
BUILDX_VERSION="${IMAGESPEC_BUILDX_VERSION:-v0.38.2}"
BUILDKIT_MODULE=github.com/moby/buildkit
BUILDX_MODULE=github.com/docker/buildx
BK_BIN="$TOOLS_DIR/bin/buildkit-$BUILDKIT_VERSION"   # buildkitd, buildctl, dockerfile-frontend
BX_BIN="$TOOLS_DIR/bin/buildx-$BUILDX_VERSION"       # buildx
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins         # searched by the docker CLI whatever DOCKER_CONFIG is

B="$INFRA_DIR/buildkit"
BUILDER="${IMAGESPEC_BUILDX_BUILDER:-imagespec}"
MIRROR="${IMAGESPEC_REGISTRY_MIRROR:-127.0.0.1:5000}"
TCP_ADDR="${IMAGESPEC_BUILDKIT_TCP:-127.0.0.1:1234}"
SNAPSHOTTER="${IMAGESPEC_BUILDKIT_SNAPSHOTTER:-auto}"
SOCK="$B/run/buildkitd.sock"
BUILDX_CONFIG_DIR="$B/buildx"                        # buildx state of our builder, independent of DOCKER_CONFIG
APT_PKGS="runc"

log() { printf '[buildkit %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# ---------------------------------------------------------------- install
apt_install() { apt_ensure $APT_PKGS; }

build_tools() {
  # go.mod of these releases asks for a recent Go; GOTOOLCHAIN=auto lets an older local go fetch the
  # right toolchain from the module proxy (a no-op when the local go is new enough).
  export GOTOOLCHAIN="${IMAGESPEC_GOTOOLCHAIN:-auto}"
  local t0
  if [ -x "$BK_BIN/buildkitd" ] && [ -x "$BK_BIN/buildctl" ] && [ -x "$BK_BIN/dockerfile-frontend" ]; then
    log "buildkit $BUILDKIT_VERSION cached in $BK_BIN"
  else
    t0=$(date +%s%N)
    log "building buildkit $BUILDKIT_VERSION (buildkitd, buildctl, dockerfile-frontend) with $(go env GOVERSION); a cold build takes minutes"
    go_build "$BUILDKIT_MODULE" "$BUILDKIT_VERSION" "$BK_BIN" \
      "-s -w -X $BUILDKIT_MODULE/version.Version=$BUILDKIT_VERSION -X $BUILDKIT_MODULE/version.Package=$BUILDKIT_MODULE -X main.Version=$BUILDKIT_VERSION-local -X main.Package=$BUILDKIT_MODULE/frontend/dockerfile/cmd/dockerfile-frontend" \
      ./cmd/buildkitd ./cmd/buildctl ./frontend/dockerfile/cmd/dockerfile-frontend
    log "built buildkit $BUILDKIT_VERSION in $(ms_since "$t0") ms"
  fi
  if [ -x "$BX_BIN/buildx" ]; then
    log "buildx $BUILDX_VERSION cached in $BX_BIN"
  else
    t0=$(date +%s%N)
    log "building buildx $BUILDX_VERSION with $(go env GOVERSION); a cold build takes minutes"
    go_build "$BUILDX_MODULE" "$BUILDX_VERSION" "$BX_BIN" \
      "-s -w -X $BUILDX_MODULE/version.Version=$BUILDX_VERSION -X $BUILDX_MODULE/version.Package=$BUILDX_MODULE" \
      ./cmd/buildx
    log "built buildx $BUILDX_VERSION in $(ms_since "$t0") ms"
  fi
  "$BK_BIN/buildkitd" --version >/dev/null && "$BK_BIN/buildctl" --version >/dev/null && "$BX_BIN/buildx" version >/dev/null \
    || die "built binaries do not run"
}

install_plugin() {
  mkdir -p "$PLUGIN_DIR"
  if ! cmp -s "$BX_BIN/buildx" "$PLUGIN_DIR/docker-buildx"; then
    install -m 0755 "$BX_BIN/buildx" "$PLUGIN_DIR/docker-buildx.tmp"
    mv -f "$PLUGIN_DIR/docker-buildx.tmp" "$PLUGIN_DIR/docker-buildx"
    log "installed $PLUGIN_DIR/docker-buildx ($BUILDX_VERSION)"
  fi
}

do_install() {
  local t0; t0=$(date +%s%N)
  mkdir -p "$TOOLS_DIR/bin"
  exec 9> "$TOOLS_DIR/bin/.buildkit-install.lock"
  flock -w 3600 9 || die "could not lock $TOOLS_DIR/bin/.buildkit-install.lock"
  apt_install
  build_tools
  install_plugin
  log "install done in $(ms_since "$t0") ms"
}

# ---------------------------------------------------------------- processes
# A PID counts as ours only while it is alive, not a zombie, and its command line names our state dir.
ours() { pid_matches "$1" -F "$B/"; }
running() { [ -f "$B/pids/buildkitd.pid" ] && ours "$(cat "$B/pids/buildkitd.pid")"; }

buildkit_host() {
  # unix sockets are limited to 107 bytes; fall back to TCP for deep INFRA_DIRs
  if [ ${#SOCK} -le 100 ]; then echo "unix://$SOCK"; else echo "tcp://$TCP_ADDR"; fi
}

buildctl_() { "$BK_BIN/buildctl" --addr "$(buildkit_host)" "$@"; }
buildx_() { BUILDX_CONFIG="$BUILDX_CONFIG_DIR" "$PLUGIN_DIR/docker-buildx" "$@"; }

write_config() {
  local f=$1 addrs tls_ca="" treg=""
  addrs="\"unix://$SOCK\""
  [ ${#SOCK} -le 100 ] || addrs=""
  if [ "$TCP_ADDR" != off ]; then addrs="${addrs:+$addrs, }\"tcp://$TCP_ADDR\""; fi
  [ -n "$addrs" ] || die "socket path $SOCK is too long for a unix socket and IMAGESPEC_BUILDKIT_TCP=off: no address to listen on"
  # The other test registries (scripts/lib/registry.sh), when present: TLS with our own CA, token auth over HTTP.
  local ca="$INFRA_DIR/registry/ca/ca.crt"
  # (BuildKit speaks plain HTTP to 127.0.0.1/localhost registries unless http = false is explicit.)
  [ -f "$ca" ] && tls_ca="
[registry.\"${REGISTRY_TLS_ADDR:-127.0.0.1:5443}\"]
  http = false
  ca = [\"$ca\"]
"
  treg="
[registry.\"${REGISTRY_TOKEN_ADDR:-127.0.0.1:5002}\"]
  http = true
"
  cat > "$f.tmp" <<EOF
# Written by scripts/lib/buildkit.sh start; do not edit (rewritten on every start).
root = "$B/root"
# No insecure entitlements: RUN steps get the host network through the worker's networkMode.
insecure-entitlements = []

[log]
  format = "text"
  level = "info"

[grpc]
  address = [ $addrs ]
  uid = 0
  gid = 0

[cdi]
  disabled = true

[history]
  maxAge = 172800
  maxEntries = 50

[worker.oci]
  enabled = true
  snapshotter = "$SNAPSHOTTER"
  rootless = false
  noProcessSandbox = false
  binary = "runc"
  # no CNI, no bridge, no iptables: every RUN step shares the host's network (so it reaches 127.0.0.1)
  networkMode = "host"
  gc = true
  reservedSpace = "1GB"
  maxUsedSpace = "20GB"
  minFreeSpace = "5GB"
  max-parallelism = 2

[worker.containerd]
  enabled = false

# The local registry: plain HTTP.
[registry."$MIRROR"]
  http = true

# Offline: image references on Docker Hub and GHCR resolve to the local registry, which
# scripts/lib/seed.sh fills (library/debian:bookworm-slim, astral-sh/uv:0.5.1, ...).
[registry."docker.io"]
  mirrors = [ "$MIRROR" ]

[registry."ghcr.io"]
  mirrors = [ "$MIRROR" ]
$tls_ca$treg
[frontend."dockerfile.v0"]
  enabled = true

[frontend."gateway.v0"]
  enabled = true
EOF
  mv -f "$f.tmp" "$f"
}

wait_buildkitd() {
  for _ in $(seq 1 300); do
    buildctl_ debug workers >/dev/null 2>&1 && return 0
    running || break
    sleep 0.1
  done
  die "buildkitd not ready at $(buildkit_host) (see $B/logs/buildkitd.log): $(tail -n 5 "$B/logs/buildkitd.log" 2>/dev/null | tr '\n' ' ')"
}

port_owner() { ss -ltnpH "sport = :${1##*:}" 2>/dev/null | grep -o 'users:.*' | head -1 || true; }

ensure_builder() {
  # Our buildx state lives in $BUILDX_CONFIG_DIR (print BUILDX_CONFIG from `env`); the same builder is
  # also registered in the default docker config so a plain `docker buildx --builder imagespec` works.
  local host; host=$(buildkit_host)
  local cfg
  for cfg in "$BUILDX_CONFIG_DIR" ""; do
    local -a X=(env)
    if [ -n "$cfg" ]; then X+=(BUILDX_CONFIG="$cfg"); else X+=(-u BUILDX_CONFIG); fi
    if "${X[@]}" "$PLUGIN_DIR/docker-buildx" inspect "$BUILDER" 2>/dev/null | grep -qxE "Endpoint:[[:space:]]+$host"; then
      continue
    fi
    "${X[@]}" "$PLUGIN_DIR/docker-buildx" rm "$BUILDER" >/dev/null 2>&1 || true
    "${X[@]}" "$PLUGIN_DIR/docker-buildx" create --name "$BUILDER" --driver remote "$host" >/dev/null
  done
  buildx_ use "$BUILDER" >/dev/null     # only inside our BUILDX_CONFIG, never in the user's default config
  buildx_ inspect --bootstrap "$BUILDER" >/dev/null || die "buildx inspect --bootstrap $BUILDER failed"
}

do_start() {
  local t0; t0=$(date +%s%N)
  [ -x "$BK_BIN/buildkitd" ] && [ -x "$PLUGIN_DIR/docker-buildx" ] || die "buildkit/buildx missing: run '$0 install' first"
  mkdir -p "$B/pids" "$B/logs" "$B/run" "$B/root" "$BUILDX_CONFIG_DIR"
  exec 9> "$B/lock"
  flock -w 120 9 || die "could not lock $B/lock"

  write_config "$B/buildkitd.toml.want"
  if running && buildctl_ debug workers >/dev/null 2>&1; then
    if cmp -s "$B/buildkitd.toml.want" "$B/buildkitd.toml"; then
      rm -f "$B/buildkitd.toml.want"
      ensure_builder
      log "already running (pid $(cat "$B/pids/buildkitd.pid")), builder $BUILDER ready in $(ms_since "$t0") ms"
      return 0
    fi
    log "configuration changed: restarting buildkitd"
  fi
  if running; then   # alive but not answering, or configured differently: restart it
    stop_pid "$(cat "$B/pids/buildkitd.pid")"
  fi
  if [ "$TCP_ADDR" != off ] && [ -n "$(port_owner "$TCP_ADDR")" ]; then
    die "port $TCP_ADDR is taken by another process ($(port_owner "$TCP_ADDR")); set IMAGESPEC_BUILDKIT_TCP"
  fi
  command -v runc >/dev/null || die "runc missing: run '$0 install' first"
  cleanup_leftovers
  rm -f "$SOCK"
  mv -f "$B/buildkitd.toml.want" "$B/buildkitd.toml"
  # CLI flags repeat the essentials of the config (flags win over the file).
  nohup "$BK_BIN/buildkitd" --config "$B/buildkitd.toml" --root "$B/root" \
    --oci-worker=true --containerd-worker=false --oci-worker-net=host --oci-worker-binary=runc \
    --oci-worker-snapshotter="$SNAPSHOTTER" \
    >> "$B/logs/buildkitd.log" 2>&1 < /dev/null 8>&- 9>&- &
  echo $! > "$B/pids/buildkitd.pid"
  wait_buildkitd
  local snap
  snap=$(sed -n 's/.*found worker .*org.mobyproject.buildkit.worker.snapshotter[:=]\([a-z]*\).*/\1/p' "$B/logs/buildkitd.log" | tail -n 1)
  ensure_builder
  log "buildkitd $BUILDKIT_VERSION ready at $(buildkit_host) (snapshotter ${snap:-?}), builder $BUILDER bootstrapped in $(ms_since "$t0") ms"
}

stop_pid() {
  # buildkitd stops gracefully on the first TERM (waiting for open sessions and builds, which can take
  # long), and forces the shutdown on the second; KILL only if that does not work either.
  local pid=$1
  ours "$pid" || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do ours "$pid" || return 0; sleep 0.1; done
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do ours "$pid" || return 0; sleep 0.1; done
  log "pid $pid ignored two TERMs, sending KILL"; kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do ours "$pid" || return 0; sleep 0.1; done
}

# What a killed (or force-shut-down) buildkitd leaves behind, recognised by naming our state dir, and
# removed only while it is down: RUN containers that go on running (runc state in /run/runc, bundle
# under $B/root), its temporary overlay mounts (/tmp/containerd-mount*, /tmp/buildkit-mount*) and
# executor mounts.
cleanup_leftovers() {
  running && return 0
  local id n=0 mp
  if command -v runc >/dev/null; then
    for id in $(runc list -q 2>/dev/null); do
      runc state "$id" 2>/dev/null | grep -qF "\"bundle\": \"$B/root/" || continue
      runc kill --all "$id" KILL >/dev/null 2>&1 || true
      runc delete -f "$id" >/dev/null 2>&1 || true
      n=$((n + 1))
    done
    [ $n = 0 ] || log "removed $n leftover build containers"
  fi
  n=0
  for mp in $(awk -v r="$B/" 'index($2, r) == 1 || ($2 ~ /^\/tmp\/(containerd|buildkit)-mount/ && index($4, r) > 0) {print $2}' /proc/mounts | sort -r); do
    umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true
    case $mp in /tmp/containerd-mount*|/tmp/buildkit-mount*) rmdir "$mp" 2>/dev/null || true ;; esac
    n=$((n + 1))
  done
  [ $n = 0 ] || log "removed $n stale mounts of $B/root"
}

do_stop() {
  [ -d "$B/pids" ] || return 0
  exec 9> "$B/lock"
  flock -w 120 9 || die "could not lock $B/lock"
  if [ -f "$B/pids/buildkitd.pid" ]; then
    stop_pid "$(cat "$B/pids/buildkitd.pid")"
    rm -f "$B/pids/buildkitd.pid"
  fi
  cleanup_leftovers
  # Forget the builders we registered (they would point at a dead socket).
  if [ -x "$PLUGIN_DIR/docker-buildx" ]; then
    BUILDX_CONFIG="$BUILDX_CONFIG_DIR" "$PLUGIN_DIR/docker-buildx" rm "$BUILDER" >/dev/null 2>&1 || true
    if env -u BUILDX_CONFIG "$PLUGIN_DIR/docker-buildx" inspect "$BUILDER" 2>/dev/null | grep -qF "$B/"; then
      env -u BUILDX_CONFIG "$PLUGIN_DIR/docker-buildx" rm "$BUILDER" >/dev/null 2>&1 || true
    fi
  fi
  log "stopped"
}

do_status() {
  if running; then echo "buildkitd: running (pid $(cat "$B/pids/buildkitd.pid")) at $(buildkit_host)"; else echo "buildkitd: not running"; return 1; fi
}

do_env() {
  cat <<EOF
BUILDKIT_HOST=$(buildkit_host)
BUILDX_BUILDER=$BUILDER
BUILDX_CONFIG=$BUILDX_CONFIG_DIR
BUILDKIT_BIN_DIR=$BK_BIN
BUILDKIT_VERSION=$BUILDKIT_VERSION
BUILDX_VERSION=$BUILDX_VERSION
EOF
}

case "${1:-}" in
  install) do_install ;;
  start) do_start ;;
  stop) do_stop ;;
  env) do_env ;;
  status) do_status ;;
  *) echo "usage: $0 install|start|env|status|stop" >&2; exit 2 ;;
esac
