#!/usr/bin/env bash
# The test command (README, .ci/run): needs the .NET SDK; installs what else the tests use when it is
# missing (Debian's chromium for the dashboard spec, Debian's postgresql for the durability specs,
# Debian's nodejs and npm with the centrifuge npm package for the Centrifugo SDK specs),
# starts PostgreSQL and gives the specs a throwaway database, then runs every test project in the
# solution and ends with one totals line.
set -euo pipefail
cd "$(dirname "$0")"

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi
install_package() {
  echo "test.sh: installing Debian's $1 (apt-get) for $2"
  if [ "${#as_root[@]}" -gt 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "test.sh: $1 is missing and neither root nor sudo is available to install it" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get install -y -q "$1" || { "${as_root[@]}" apt-get update -q && "${as_root[@]}" apt-get install -y -q "$1"; }
}

# The dashboard spec drives a real browser: Debian's chromium through Playwright (no browser download).
if [ -z "${NOTIFY_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  install_package chromium "the dashboard spec"
fi

# The compose spec validates docker/docker-compose.yml with Debian's docker-compose (offline; no Docker engine needed).
if ! command -v docker-compose >/dev/null 2>&1; then
  install_package docker-compose "the compose file spec"
fi

# The Centrifugo compatibility specs drive Centrifugo's own JS client (npm centrifuge, pinned by
# tests/centrifuge-sdk/package-lock.json) under Debian's node; npm ci installs exactly the locked
# versions, without running package scripts (none is needed).
if ! command -v node >/dev/null 2>&1; then
  install_package nodejs "the Centrifugo SDK specs"
fi
if ! command -v npm >/dev/null 2>&1; then
  install_package npm "the Centrifugo SDK specs"
fi
if [ ! -d tests/centrifuge-sdk/node_modules/centrifuge ]; then
  echo "test.sh: installing the centrifuge SDK (npm ci) for the Centrifugo SDK specs"
  (cd tests/centrifuge-sdk && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

log="$(mktemp)"
database=""
cleanup() {
  rm -f "$log"
  if [ -n "$database" ]; then
    "${as_root[@]}" su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS $database WITH (FORCE)'" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# The durability specs run against a real PostgreSQL server: Debian's, started here, with a database of
# their own that is dropped at the end. NOTIFY_TEST_POSTGRES, when set, names another server instead.
if [ -z "${NOTIFY_TEST_POSTGRES:-}" ]; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    install_package postgresql "the durability specs"
  fi
  version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  if ! pg_lsclusters -h 2>/dev/null | awk '{ print $1, $2 }' | grep -q "^$version main$"; then
    "${as_root[@]}" pg_createcluster "$version" main >/dev/null
  fi
  "${as_root[@]}" pg_ctlcluster "$version" main start 2>/dev/null || true
  port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')"
  for _ in $(seq 1 30); do
    "${as_root[@]}" su postgres -c "pg_isready -q -p $port" && break
    sleep 1
  done
  database="notify_test_$$"
  password="notify-test-$RANDOM$RANDOM"
  "${as_root[@]}" su postgres -c "psql -q -p $port" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'notify_test') THEN CREATE ROLE notify_test LOGIN; END IF;
END \$\$;
ALTER ROLE notify_test PASSWORD '$password';
CREATE DATABASE $database OWNER notify_test;
SQL
  export NOTIFY_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=notify_test;Password=$password;Database=$database"
  echo "test.sh: PostgreSQL $version on 127.0.0.1:$port, database $database"
fi

status=0
dotnet test NotifyActors.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# Per test run, either "Passed!  - Failed:     0, Passed:    42, ..." (minimal verbosity) or, with the
# normal-verbosity console logger used above, "Total tests: 42" then "     Passed: 42" and "     Failed: 0".
sum() { grep -oE "$1: +[0-9]+(,|$)" "$log" | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }
echo "Tests: $(sum Passed) passed, $(sum Failed) failed"
[ -f artifacts/dashboard.png ] && echo "Dashboard screenshot: artifacts/dashboard.png"
exit "$status"
