#!/usr/bin/env bash
# Seed what generated ImageSpec Dockerfiles need so that builds work offline on 127.0.0.1.
#
#   seed.sh install   apt-install debootstrap/skopeo/umoci; make the seed images (OCI layout) and
#                     download the wheels of the package index, both cached per machine in $TOOLS_DIR/seed
#   seed.sh start     (does install's caching when needed, then) push the seed images to the local
#                     registry (skipped when the registry already holds the same digest) and serve the
#                     PEP 503 package index on 127.0.0.1 (idempotent)
#   seed.sh env       KEY=VALUE lines (IMAGESPEC_PIP_INDEX=..., ...)
#   seed.sh status    what runs / what is seeded
#   seed.sh stop      stop the package index server this INFRA_DIR started (by recorded PID)
#
# Images pushed to $REG (scripts/lib/registry.sh's 127.0.0.1:5000; BuildKit mirrors docker.io and
# ghcr.io to it, see scripts/lib/buildkit.sh):
#   library/debian:bookworm-slim (and :12-slim)  debootstrap --variant=minbase bookworm, docs/man/locales removed
#   library/python:3.11-slim-bookworm (and :3.11-slim)  that + Debian's python3 (3.11), python3-venv,
#                                                 ca-certificates; /usr/local/bin/python -> /usr/bin/python3
#   astral-sh/uv:0.5.1                            /uv and /uvx from PyPI's uv==0.5.1 manylinux wheel
#   mambaorg/micromamba:2.0.3-debian12-slim       stand-in: Debian + ca-certificates and a /usr/bin/micromamba
#                                                 that fails with a clear message (conda needs conda-forge)
#   docker/dockerfile:1.5 (and :1)                the Dockerfile frontend built from the pinned BuildKit
#                                                 module (what a `#syntax=docker/dockerfile:1.5` line pulls)
# Knobs: IMAGESPEC_REGISTRY_MIRROR (default 127.0.0.1:5000), IMAGESPEC_PIP_INDEX_PORT (default 3141),
# IMAGESPEC_DEBIAN_MIRROR (default: the first Debian URI in /etc/apt/sources.list*).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=common.sh
source "$here/common.sh"
REPO_ROOT="${REPO_ROOT:-$(cd "$here/../.." && pwd)}"
INFRA_DIR="${INFRA_DIR:-${IMAGESPEC_INFRA_DIR:-$REPO_ROOT/.infra}}"
TOOLS_DIR="${TOOLS_DIR:-${IMAGESPEC_TOOLS_DIR:-/var/cache/imagespec-action}}"
SEED_SRC="$REPO_ROOT/scripts/seed"

SEED_VERSION=1                      # bump to rebuild every cached image
S="$TOOLS_DIR/seed"                 # per-machine cache
L="$S/oci"                          # one OCI layout holding every seed image (shared blobs)
P="$S/pypi"                         # package index root: files/ (wheels) and simple/
W="$INFRA_DIR/seed"                 # per-clone state: pids, logs
REG="${IMAGESPEC_REGISTRY_MIRROR:-127.0.0.1:5000}"
PIP_PORT="${IMAGESPEC_PIP_INDEX_PORT:-3141}"
UV_VERSION=0.5.1
FLYTEKIT_VERSION=1.16.24
APT_PKGS="debootstrap skopeo umoci curl ca-certificates"
ACCEPT='application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json'

# layout tag | registry references it is pushed as
PUSHES=(
  "debian|library/debian:bookworm-slim library/debian:12-slim"
  "python|library/python:3.11-slim-bookworm library/python:3.11-slim"
  "uv|astral-sh/uv:$UV_VERSION"
  "micromamba|mambaorg/micromamba:2.0.3-debian12-slim"
  "dockerfile|docker/dockerfile:1.5 docker/dockerfile:1"
)

log() { printf '[seed %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# the interpreter itself, not a version-manager shim (pyenv's costs ~0.25 s a call)
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)

# ---------------------------------------------------------------- install
apt_install() { apt_ensure $APT_PKGS; }

debian_mirror() {
  if [ -n "${IMAGESPEC_DEBIAN_MIRROR:-}" ]; then echo "$IMAGESPEC_DEBIAN_MIRROR"; return; fi
  local m
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
      | sed -n -e 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)\/\{0,1\}$/\1/p' \
               -e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\(http[^[:space:]]*\/debian\)\/\{0,1\}[[:space:]].*/\2/p' | head -1)
  echo "${m:-http://deb.debian.org/debian}"
}

# Mounts made under a work dir must never outlive us.
WORK=""
cleanup() {
  [ -n "$WORK" ] || return 0
  local m
  for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

new_work() { mkdir -p "$S/tmp"; WORK=$(mktemp -d "$S/tmp/work.XXXXXX"); }
stamp() { echo "$S/stamps/$1.v$SEED_VERSION${2:+.$2}"; }
layout_has() { [ -n "$(layout_digest "$1")" ]; }
built() { [ -f "$(stamp "$1" "${2:-}")" ] && layout_has "$1"; }
BUILT=0
mark() { BUILT=1; mkdir -p "$S/stamps"; rm -f "$S/stamps/$1.v"*; touch "$(stamp "$1" "${2:-}")"; }

init_layout() { [ -f "$L/index.json" ] || umoci init --layout "$L"; }

# Remove what Docker's slim images leave out, and what a rootfs made here must not carry.
slim_rootfs() {
  local r=$1
  rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/lintian/* \
    "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
    "$r"/var/cache/debconf/*-old "$r"/var/log/apt/* "$r"/var/log/dpkg.log "$r"/var/log/bootstrap.log \
    "$r"/var/log/alternatives.log "$r"/tmp/* "$r"/root/.bash_history
  find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  # runtime files: BuildKit and runc provide their own
  rm -f "$r/etc/resolv.conf" "$r/etc/hostname" "$r/etc/hosts"
  find "$r/dev" -mindepth 1 -delete 2>/dev/null || true
}

# Run apt-get inside rootfs $1 (from Debian's mirror; the host's network) to install packages.
chroot_apt() {
  local r=$1; shift
  mount -t proc proc "$r/proc"
  mount --bind /dev "$r/dev"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"; chmod 0755 "$r/usr/sbin/policy-rc.d"
  local -a C=(chroot "$r" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 HOME=/root)
  local rc=0 lg="$S/chroot-apt.log"
  { "${C[@]}" apt-get -o Acquire::Check-Valid-Until=false -qq update \
    && "${C[@]}" apt-get -o Acquire::Check-Valid-Until=false -y -qq install --no-install-recommends "$@"; } > "$lg" 2>&1 || rc=$?
  umount "$r/dev" "$r/proc"
  rm -f "$r/usr/sbin/policy-rc.d"
  [ $rc = 0 ] || die "apt-get install $* in $r failed: $(tail -n 5 "$lg" | tr '\n' ' ')"
}

slim_dpkg_excludes() { # the path-excludes of Docker's debian:*-slim, so later installs stay slim
  mkdir -p "$1/etc/dpkg/dpkg.cfg.d"
  cat > "$1/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
EOF
}

BASE_ENV=(--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)

build_debian() {
  built debian && return 0
  local t0 mirror; t0=$(date +%s%N); mirror=$(debian_mirror)
  new_work; init_layout
  log "debootstrap --variant=minbase bookworm from $mirror (once per machine)"
  umoci new --image "$L:debian.tmp"
  umoci unpack --image "$L:debian.tmp" "$WORK/b" >/dev/null
  debootstrap --variant=minbase --arch=amd64 bookworm "$WORK/b/rootfs" "$mirror" > "$WORK/debootstrap.log" 2>&1 \
    || die "debootstrap failed: $(tail -n 5 "$WORK/debootstrap.log" | tr '\n' ' ')"
  for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m"; done
  # The image's sources are Debian's public ones, whatever mirror made it.
  printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
    > "$WORK/b/rootfs/etc/apt/sources.list"
  slim_dpkg_excludes "$WORK/b/rootfs"
  slim_rootfs "$WORK/b/rootfs"
  umoci repack --image "$L:debian.tmp" "$WORK/b" --history.created_by "debootstrap --variant=minbase bookworm (imagespec-action seed)"
  umoci config --image "$L:debian.tmp" --tag debian "${BASE_ENV[@]}" --config.cmd bash --architecture amd64 --os linux
  umoci rm --image "$L:debian.tmp"
  mark debian
  cleanup; WORK=""
  log "made debian:bookworm-slim in $(ms_since "$t0") ms"
}

build_python() {
  built python && return 0
  local t0; t0=$(date +%s%N)
  new_work
  umoci unpack --image "$L:debian" "$WORK/b" >/dev/null
  chroot_apt "$WORK/b/rootfs" python3 python3-venv ca-certificates
  ln -sfn /usr/bin/python3 "$WORK/b/rootfs/usr/local/bin/python"
  ln -sfn /usr/bin/python3 "$WORK/b/rootfs/usr/local/bin/python3"
  slim_rootfs "$WORK/b/rootfs"
  cp -L "$WORK/b/rootfs/etc/ssl/certs/ca-certificates.crt" "$S/ca-certificates.crt"   # for the micromamba stand-in
  local pyver; pyver=$(chroot "$WORK/b/rootfs" /usr/bin/python3 -c 'import platform; print(platform.python_version())')
  # repack's tag is the new one; the bundle remembers the manifest it was unpacked from
  umoci repack --image "$L:python.tmp" "$WORK/b" --history.created_by "apt-get install python3 python3-venv ca-certificates (imagespec-action seed)"
  umoci config --image "$L:python.tmp" --tag python "${BASE_ENV[@]}" --config.env LANG=C.UTF-8 \
    --config.env "PYTHON_VERSION=$pyver" --config.cmd python3 --architecture amd64 --os linux
  umoci rm --image "$L:python.tmp"
  mark python
  cleanup; WORK=""
  log "made python:3.11-slim-bookworm (Debian python $pyver) in $(ms_since "$t0") ms"
}

build_uv() {
  built uv && return 0
  local t0; t0=$(date +%s%N)
  [ -n "$PY" ] || die "python3 needed to download uv"
  new_work; init_layout
  mkdir -p "$S/uv"
  if ! ls "$S/uv/uv-$UV_VERSION-"*.whl >/dev/null 2>&1; then
    "$PY" -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
      --python-version 3.11 --implementation cp --abi cp311 -d "$S/uv" "uv==$UV_VERSION" \
      || die "pip download uv==$UV_VERSION failed"
  fi
  umoci new --image "$L:uv.tmp"
  umoci unpack --image "$L:uv.tmp" "$WORK/b" >/dev/null
  "$PY" - "$S/uv" "$UV_VERSION" "$WORK/b/rootfs" <<'EOF'
import glob, os, sys, zipfile
d, ver, root = sys.argv[1:4]
whl = glob.glob(os.path.join(d, f"uv-{ver}-*.whl"))[0]
with zipfile.ZipFile(whl) as z:
    for name in ("uv", "uvx"):
        with open(os.path.join(root, name), "wb") as f:
            f.write(z.read(f"uv-{ver}.data/scripts/{name}"))
        os.chmod(os.path.join(root, name), 0o755)
EOF
  "$WORK/b/rootfs/uv" --version | grep -q "$UV_VERSION" || die "extracted uv does not run"
  umoci repack --image "$L:uv.tmp" "$WORK/b" --history.created_by "uv $UV_VERSION from PyPI (imagespec-action seed)"
  umoci config --image "$L:uv.tmp" --tag uv --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/ \
    --config.entrypoint /uv --architecture amd64 --os linux
  umoci rm --image "$L:uv.tmp"
  mark uv
  cleanup; WORK=""
  log "made astral-sh/uv:$UV_VERSION in $(ms_since "$t0") ms"
}

build_micromamba() {
  built micromamba && return 0
  local t0; t0=$(date +%s%N)
  new_work
  # Debian's ca-certificates bundle, as build_python found it in the python image
  if [ ! -s "$S/ca-certificates.crt" ]; then
    umoci unpack --image "$L:python" "$WORK/p" >/dev/null
    cp -L "$WORK/p/rootfs/etc/ssl/certs/ca-certificates.crt" "$S/ca-certificates.crt"
  fi
  umoci unpack --image "$L:debian" "$WORK/b" >/dev/null
  mkdir -p "$WORK/b/rootfs/etc/ssl/certs" "$WORK/b/rootfs/usr/bin"
  cp "$S/ca-certificates.crt" "$WORK/b/rootfs/etc/ssl/certs/ca-certificates.crt"
  cat > "$WORK/b/rootfs/usr/bin/micromamba" <<'EOF'
#!/bin/sh
# imagespec-action offline stand-in for mambaorg/micromamba: there is no conda-forge here.
echo "micromamba (imagespec-action offline stand-in): conda environments cannot be created offline;" >&2
echo "set python_exec (and a base_image that has that Python), e.g. base_image python:3.11-slim-bookworm," >&2
echo "python_exec /usr/local/bin/python. Arguments were: $*" >&2
exit 1
EOF
  chmod 0755 "$WORK/b/rootfs/usr/bin/micromamba"
  cp "$WORK/b/rootfs/usr/bin/micromamba" "$WORK/b/rootfs/bin/micromamba" 2>/dev/null || true
  umoci repack --image "$L:micromamba.tmp" "$WORK/b" --history.created_by "ca-certificates + micromamba stand-in (imagespec-action seed)"
  umoci config --image "$L:micromamba.tmp" --tag micromamba "${BASE_ENV[@]}" --config.cmd bash --architecture amd64 --os linux
  umoci rm --image "$L:micromamba.tmp"
  mark micromamba
  cleanup; WORK=""
  log "made mambaorg/micromamba stand-in in $(ms_since "$t0") ms"
}

frontend_bin() {
  local d
  d=$(bash "$here/buildkit.sh" env 2>/dev/null | sed -n 's/^BUILDKIT_BIN_DIR=//p')
  [ -n "$d" ] && [ -x "$d/dockerfile-frontend" ] && echo "$d/dockerfile-frontend"
}

build_frontend() {
  local bin key
  bin=$(frontend_bin) || { log "WARNING: no dockerfile-frontend binary (run scripts/lib/buildkit.sh install); docker/dockerfile:1.5 not seeded"; return 0; }
  key=$(sha256sum "$bin" | cut -c1-16)
  built dockerfile "$key" && return 0
  local t0; t0=$(date +%s%N)
  new_work; init_layout
  layout_has dockerfile && umoci rm --image "$L:dockerfile"
  umoci new --image "$L:dockerfile.tmp"
  umoci unpack --image "$L:dockerfile.tmp" "$WORK/b" >/dev/null
  mkdir -p "$WORK/b/rootfs/bin"
  install -m 0755 "$bin" "$WORK/b/rootfs/bin/dockerfile-frontend"
  umoci repack --image "$L:dockerfile.tmp" "$WORK/b" --history.created_by "dockerfile-frontend from the pinned BuildKit module (imagespec-action seed)"
  # the labels of the official docker/dockerfile images
  umoci config --image "$L:dockerfile.tmp" --tag dockerfile --config.entrypoint /bin/dockerfile-frontend \
    --config.label moby.buildkit.frontend.network.none=true \
    --config.label moby.buildkit.frontend.caps=moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts,moby.buildkit.frontend.gitquerystring,moby.buildkit.frontend.contexts.zstd \
    --architecture amd64 --os linux
  umoci rm --image "$L:dockerfile.tmp"
  mark dockerfile "$key"
  cleanup; WORK=""
  log "made docker/dockerfile:1.5 (frontend of $(basename "$(dirname "$bin")")) in $(ms_since "$t0") ms"
}

# ---------------------------------------------------------------- wheels + index
pip_key() { { cat "$SEED_SRC/requirements.txt" "$SEED_SRC/constraints.txt" "$SEED_SRC/make_index.py"; echo "v$SEED_VERSION"; } | sha256sum | cut -c1-16; }

build_index() {
  local key; key=$(pip_key)
  [ -f "$P/.key-$key" ] && [ -f "$P/simple/index.html" ] && return 0
  [ -n "$PY" ] || die "python3 needed to download wheels"
  local t0; t0=$(date +%s%N)
  local -a plats=()
  local v
  for v in 17 24 27 28 31 34 35 36; do plats+=(--platform "manylinux_2_${v}_x86_64"); done
  plats+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
  mkdir -p "$S"
  local tmp="$S/pypi.tmp"; rm -rf "$tmp"; mkdir -p "$tmp/files"
  log "pip download (CPython 3.11, manylinux x86_64, wheels only) of $(grep -v '^#' "$SEED_SRC/requirements.txt" | grep -c .) requirements"
  # Only these requirements: no outer pip config that names other indexes or local wheel dirs.
  env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_NO_INDEX \
    "$PY" -m pip download -q --disable-pip-version-check -d "$tmp/files" --only-binary=:all: "${plats[@]}" \
    --python-version 3.11 --implementation cp --abi cp311 -r "$SEED_SRC/requirements.txt" -c "$SEED_SRC/constraints.txt" > "$S/pip-download.log" 2>&1 \
    || die "pip download failed: $(tail -n 5 "$S/pip-download.log" | tr '\n' ' ')"
  "$PY" "$SEED_SRC/make_index.py" "$tmp/files" "$tmp" >&2
  touch "$tmp/.key-$key"
  rm -rf "$P.old"; [ -d "$P" ] && mv "$P" "$P.old"; mv "$tmp" "$P"; rm -rf "$P.old"
  log "package index: $(ls "$P/files" | wc -l) wheels, $(du -sh "$P/files" | cut -f1) in $(ms_since "$t0") ms"
}

build_all() {
  mkdir -p "$S"
  exec 7> "$S/.lock"
  flock -w 1800 7 || die "could not lock $S/.lock"
  build_debian
  build_python
  build_uv
  build_micromamba
  build_frontend
  build_index
  [ "$BUILT" = 0 ] || umoci gc --layout "$L"
  exec 7>&-
}

do_install() {
  local t0; t0=$(date +%s%N)
  apt_install
  build_all
  log "install done in $(ms_since "$t0") ms"
}

# ---------------------------------------------------------------- registry
# tag -> manifest digest of the seed layout, read once per index.json version
declare -A LAYOUT=()
LAYOUT_STAMP=""
layout_digest() {
  [ -f "$L/index.json" ] || return 0
  local st; st=$(stat -c '%Y.%s.%i' "$L/index.json")
  if [ "$st" != "$LAYOUT_STAMP" ]; then
    LAYOUT=(); LAYOUT_STAMP=$st
    local t d
    while read -r t d; do [ -n "$t" ] && LAYOUT[$t]=$d; done < <(sed 's/},{/},\n{/g' "$L/index.json" \
      | sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*"org.opencontainers.image.ref.name":"\([^"]*\)".*/\2 \1/p')
  fi
  echo "${LAYOUT[$1]:-}"
}

registry_digest() { # repo:tag -> digest the registry holds, or nothing
  local ref=$1
  curl -s -I --max-time 5 -H "Accept: $ACCEPT" "http://$REG/v2/${ref%:*}/manifests/${ref##*:}" \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}' || true
}

push_images() {
  local t0; t0=$(date +%s%N)
  curl -s -o /dev/null --max-time 5 "http://$REG/v2/" || die "registry $REG is not answering (start scripts/lib/registry.sh first)"
  local entry tag refs ref want have pushed=0 present=0
  for entry in "${PUSHES[@]}"; do
    tag=${entry%%|*}; refs=${entry#*|}
    layout_has "$tag" || { log "WARNING: $tag not in the seed layout; skipped"; continue; }
    want=$(layout_digest "$tag")
    for ref in $refs; do
      have=$(registry_digest "$ref")
      if [ "$have" = "$want" ]; then present=$((present + 1)); continue; fi
      env -u DOCKER_CONFIG -u REGISTRY_AUTH_FILE -u CONTAINERS_REGISTRIES_CONF \
        skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$L:$tag" "docker://$REG/$ref" \
        || die "skopeo copy $tag -> $REG/$ref failed"
      have=$(registry_digest "$ref")
      [ "$have" = "$want" ] || die "$REG/$ref has digest '$have' after push, expected $want"
      pushed=$((pushed + 1))
    done
  done
  log "registry $REG: pushed $pushed, already present $present, in $(ms_since "$t0") ms"
}

# ---------------------------------------------------------------- package index server
# Our index server: python's http.server on 127.0.0.1:$PIP_PORT (the pid file in $W says which one).
is_index_server() { pid_matches "$1" -E -- "-m http\.server --bind 127\.0\.0\.1 --directory .* $PIP_PORT \$"; }
serves_ours() { tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "--directory $P $PIP_PORT "; }
running() { [ -f "$W/pids/pypi.pid" ] && is_index_server "$(cat "$W/pids/pypi.pid")"; }
port_owner() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'users:.*' | head -1 || true; }
port_pid() { port_owner "$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
index_url() { echo "http://127.0.0.1:$PIP_PORT/simple"; }

start_index() {
  local pid
  if running; then
    pid=$(cat "$W/pids/pypi.pid")
    if serves_ours "$pid" && curl -sf -o /dev/null --max-time 2 "$(index_url)/"; then return 0; fi
    stop_index   # another TOOLS_DIR, or not answering
  fi
  # An index server of ours whose pid file was lost (same port, same directory): adopt it.
  pid=$(port_pid "$PIP_PORT")
  if [ -n "$pid" ] && is_index_server "$pid" && serves_ours "$pid" && curl -sf -o /dev/null --max-time 2 "$(index_url)/"; then
    echo "$pid" > "$W/pids/pypi.pid"; log "adopted the package index server already on port $PIP_PORT (pid $pid)"; return 0
  fi
  [ -z "$(port_owner "$PIP_PORT")" ] || die "port 127.0.0.1:$PIP_PORT is taken ($(port_owner "$PIP_PORT")); set IMAGESPEC_PIP_INDEX_PORT"
  nohup "$PY" -m http.server --bind 127.0.0.1 --directory "$P" "$PIP_PORT" \
    >> "$W/logs/pypi.log" 2>&1 < /dev/null 7>&- 8>&- 9>&- &
  echo $! > "$W/pids/pypi.pid"
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null --max-time 2 "$(index_url)/" && return 0
    running || break
    sleep 0.05
  done
  die "package index not ready at $(index_url) (see $W/logs/pypi.log)"
}

stop_index() {
  [ -f "$W/pids/pypi.pid" ] || return 0
  local pid; pid=$(cat "$W/pids/pypi.pid")
  if is_index_server "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do is_index_server "$pid" || break; sleep 0.05; done
    if is_index_server "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$W/pids/pypi.pid"
}

do_start() {
  local t0; t0=$(date +%s%N)
  mkdir -p "$W/pids" "$W/logs"
  exec 9> "$W/lock"
  flock -w 1800 9 || die "could not lock $W/lock"
  [ -n "$PY" ] || die "python3 not found"
  command -v skopeo >/dev/null && command -v umoci >/dev/null && command -v debootstrap >/dev/null || apt_install
  build_all
  push_images
  start_index
  log "seeded in $(ms_since "$t0") ms; package index at $(index_url)"
}

do_stop() {
  mkdir -p "$W"
  exec 9> "$W/lock"
  flock -w 120 9 || die "could not lock $W/lock"
  stop_index
  log "stopped"
}

do_status() {
  local rc=0 entry ref
  if running; then echo "pypi index: running (pid $(cat "$W/pids/pypi.pid")) at $(index_url)"; else echo "pypi index: not running"; rc=1; fi
  for entry in "${PUSHES[@]}"; do
    for ref in ${entry#*|}; do echo "$REG/$ref: $(registry_digest "$ref" | grep . || echo missing)"; done
  done
  return $rc
}

do_env() {
  cat <<EOF
IMAGESPEC_PIP_INDEX=$(index_url)
IMAGESPEC_SEED_REGISTRY=$REG
IMAGESPEC_SEED_PYTHON_IMAGE=python:3.11-slim-bookworm
IMAGESPEC_SEED_PYTHON_EXEC=/usr/local/bin/python
IMAGESPEC_SEED_FLYTEKIT_VERSION=$FLYTEKIT_VERSION
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
