#!/usr/bin/env bash
# The test command (README, .ci/run): needs the .NET SDK; installs what else the tests use when it is
# missing (Debian's chromium, for the dashboard spec), then runs every test project in the solution and
# ends with one totals line.
set -euo pipefail
cd "$(dirname "$0")"

# The dashboard spec drives a real browser: Debian's chromium through Playwright (no browser download).
if [ -z "${NOTIFY_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing Debian's chromium (apt-get) for the dashboard spec"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: chromium is missing and neither root nor sudo is available to install it" >&2; exit 1; }
    as_root=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get install -y -q chromium || { "${as_root[@]}" apt-get update -q && "${as_root[@]}" apt-get install -y -q chromium; }
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
dotnet test NotifyActors.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# Per test run, either "Passed!  - Failed:     0, Passed:    42, ..." (minimal verbosity) or, with the
# normal-verbosity console logger used above, "Total tests: 42" then "     Passed: 42" and "     Failed: 0".
sum() { grep -oE "$1: +[0-9]+(,|$)" "$log" | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }
echo "Tests: $(sum Passed) passed, $(sum Failed) failed"
[ -f artifacts/dashboard.png ] && echo "Dashboard screenshot: artifacts/dashboard.png"
exit "$status"
