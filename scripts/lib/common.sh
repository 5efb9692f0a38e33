# Shared by the scripts/lib/*.sh components; each defines its own log() with its own prefix.

die() { log "ERROR: $*"; exit 1; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# apt_ensure PKG... : install the packages that are not installed yet. Installing must never start
# services: Debian images ship /usr/sbin/policy-rc.d ("exit 101"); add a temporary one only where
# none exists and remove only ours.
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local t0; t0=$(date +%s%N)
  apt-get update -qq
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; own_policy=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  [ $own_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc = 0 ] || die "apt-get install ${missing[*]} failed"
  log "apt: installed ${missing[*]} in $(ms_since "$t0") ms"
}

# pid_matches PID GREP-ARGS... : PID is alive, not a zombie, and its command line matches.
pid_matches() {
  local pid=$1 st; shift
  [ -n "$pid" ] || return 1
  st=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st:0:1}" != Z ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$@"
}

# go_build MODULE VERSION OUTDIR LDFLAGS PKG... : build packages of MODULE@VERSION into OUTDIR.
# Builds inside a writable copy of the module as the main module, so its go.mod (replace/exclude
# directives, which `go install m@v` refuses) applies. Module zips carry no vendor/: -mod=mod.
go_build() {
  local mod=$1 ver=$2 out=$3 ldflags=$4; shift 4
  command -v go >/dev/null || die "go not found (needed to build $mod@$ver)"
  local dir tmp
  dir=$(go mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -n "$dir" ] && [ -f "$dir/go.mod" ] || die "go mod download $mod@$ver gave no module directory"
  mkdir -p "$TOOLS_DIR/tmp"
  tmp=$(mktemp -d "$TOOLS_DIR/tmp/build.XXXXXX")
  cp -a "$dir/." "$tmp/src"; chmod -R u+w "$tmp/src"
  local rc=0 lg; lg="$TOOLS_DIR/tmp/go-build-$(basename "$mod")-$ver.log"
  ( cd "$tmp/src" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" \
      go build -trimpath -ldflags "$ldflags" -o "$tmp/out/" "$@" ) > "$lg" 2>&1 || rc=$?
  if [ $rc = 0 ]; then rm -rf "$out"; mkdir -p "$(dirname "$out")"; mv "$tmp/out" "$out"; fi
  rm -rf "$tmp"
  [ $rc = 0 ] || die "go build of $mod@$ver failed (log $lg): $(tail -n 15 "$lg")"
}

# A cached venv with pinned packages: made once, and marked complete only after the import check
# (Python code, the second argument) passes.  venv_install VENV CHECK PACKAGE...
venv_install() {
  local venv="$1" check="$2"; shift 2
  if [ -x "$venv/bin/python" ] && [ -f "$venv/.complete" ]; then return 0; fi
  local t0; t0=$(date +%s%N)
  command -v python3 >/dev/null || die "python3 is needed"
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv failed"
  "$venv/bin/pip" install -q --disable-pip-version-check "$@" || die "pip install $* failed"
  "$venv/bin/python" -c "$check" || die "the import check in $venv failed"
  touch "$venv/.complete"
  log "venv with $* in $(ms_since "$t0") ms"
}
