# Shared by scripts/run and scripts/test: idempotent setup steps, quick when already done.
# shellcheck shell=bash

log() { printf '\033[1m[poste]\033[0m %s\n' "$*" >&2; }

# Install the Debian packages listed in the given files that are not installed yet.
ensure_apt() {
  local missing=() pkg file
  for file in "$@"; do
    while read -r pkg; do
      pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
      [ -n "$pkg" ] || continue
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done < "$file"
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]} (run as root to install them)"
    return 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Package scripts must not try to start services here; scripts/run starts what it needs.
  local placed_policy=0  # ours to remove afterwards (one the machine had stays)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    placed_policy=1
  fi
  apt-get update -qq -o DPkg::Lock::Timeout=600
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
  if [ "$placed_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
}

# Create .venv and install the given requirements files when they changed since last time.
ensure_venv() {
  local stamp=.venv/.requirements.sha256 sum
  if [ ! -x .venv/bin/python ]; then
    log "creating the virtualenv in .venv"
    python3 -m venv .venv
    .venv/bin/pip install -q --upgrade pip wheel 2> >(grep -v "^WARNING: Location .* is ignored" >&2)
  fi
  sum=$(cat "$@" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    log "installing Python requirements: $*"
    local args=()
    for file in "$@"; do args+=(-r "$file"); done
    # This machine's pip config names local mirrors that may be absent: hide those warnings only.
    .venv/bin/pip install -q "${args[@]}" 2> >(grep -v "^WARNING: Location .* is ignored" >&2)
    echo "$sum" > "$stamp"
  fi
}

# The data folder $POSTE_DATA: schema, demo data, and the demo's logins in its log.
# Sets umask 077 for the calling shell too: from here on everything the script and the
# processes it starts create (database, secrets, logs, audio) is this user's alone
# (folders 0700, files 0600), whatever umask it was started with.
prepare_data() {
  umask 077
  mkdir -p "$POSTE_DATA/log"
  .venv/bin/flask --app wsgi db upgrade
  .venv/bin/flask --app wsgi demo seed > "$POSTE_DATA/log/demo-seed.log"
}

# Start Debian's PostgreSQL cluster and give the tests a role that may create databases.
# Prints the URL the test suite derives its per-worker databases from.
start_postgres() {
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then log "PostgreSQL is not installed"; return 1; fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    log "starting PostgreSQL $version"
    pg_ctlcluster "$version" main start
  fi
  local deadline=$((SECONDS + 60))
  until su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { log "PostgreSQL did not start"; return 1; }
    sleep 0.5
  done
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'poste_test'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE poste_test LOGIN PASSWORD 'poste_test' CREATEDB\""
  local port
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
  echo "postgresql://poste_test:poste_test@127.0.0.1:${port}/postgres"
}
