#!/usr/bin/env bash
# The test command (README, .ci/run): needs only the .NET SDK.
# Runs every test project in the solution and ends with one totals line.
set -euo pipefail
cd "$(dirname "$0")"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
dotnet test NotifyActors.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# Per test run, either "Passed!  - Failed:     0, Passed:    42, ..." (minimal verbosity) or, with the
# normal-verbosity console logger used above, "Total tests: 42" then "     Passed: 42" and "     Failed: 0".
sum() { grep -oE "$1: +[0-9]+(,|$)" "$log" | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }
echo "Tests: $(sum Passed) passed, $(sum Failed) failed"
exit "$status"
