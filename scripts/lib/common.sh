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
