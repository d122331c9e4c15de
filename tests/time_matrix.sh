#!/usr/bin/env bash
# The time-sensitive tests under fixed "now"s: the portal's clock (portal_core::clock) starts
# at each instant below (PORTICO_TEST_NOW, read by the test harness) and runs on from there.
# A test that passes at one hour and fails at another is a defect, and this is where it shows.
#
#   tests/time_matrix.sh                         # every instant below, on SQLite
#   tests/time_matrix.sh 2026-03-29T00:50:00Z     # one instant
set -euo pipefail
cd "$(dirname "$0")/.."
instants=("$@")
if [ ${#instants[@]} -eq 0 ]; then
    instants=(
        2026-03-29T00:50:00Z  # ten minutes before Europe's spring change (Sunday)
        2026-10-25T00:50:00Z  # ten minutes before Europe's autumn change (Sunday)
        2026-03-08T06:50:00Z  # ten minutes before the United States' spring change
        2026-11-01T05:50:00Z  # ten minutes before the United States' autumn change
        2026-01-31T23:55:00Z  # a month's last minutes (a Saturday night)
        2026-12-31T23:55:00Z  # a year's last minutes
        2026-12-07T08:56:00Z  # a Monday morning in Berlin's working hours
        2026-12-04T16:30:00Z  # a Friday evening in Berlin, the weekend ahead
    )
fi
# The time-sensitive files of the suite (tests/suite/*.rs), as filters on the test path
# (`billing::a_paid_invoice::sqlite`). A filter matches anywhere in the path, so
# `project_access::` would also pick gallery's `shares_tied_to_a_project_follow_project_access`:
# the --skip keeps the run to these files.
modules=(booking links sign_in two_step account billing notifications activity admin
         project_access project_work outbox)
filters=()
for m in "${modules[@]}"; do filters+=("$m::"); done
args=(--test suite -- "${filters[@]}" --skip gallery::)
cargo test -p portico-tests --test suite --no-run
for now in "${instants[@]}"; do
    echo "== now: $now"
    # SQLite only: the clock, not the backend, is what varies here.
    log=$(mktemp)
    if ! env -u PORTICO_TEST_POSTGRES_URL PORTICO_TEST_NOW="$now" \
        cargo test -p portico-tests "${args[@]}" >"$log" 2>&1; then
        grep -E -A12 'panicked|FAILED' "$log" | head -80
        rm -f "$log"
        echo "time matrix: failed at $now"
        exit 1
    fi
    grep '^test result:' "$log"
    rm -f "$log"
done
