#!/usr/bin/env bash
# The whole test suite: every crate with every module linked, then the integration tests
# again with the modules left out of the build (`--no-default-features`), which is how the
# suite proves a missing module leaves nothing behind.
#
# On SQLite always; on PostgreSQL too when PORTICO_TEST_POSTGRES_URL is set, e.g.
#   PORTICO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# The email tests talk SMTP to Debian's aiosmtpd; the accessibility test drives Debian's
# Chromium through chromedriver; the file-store tests talk to moto's S3 server; the invoice
# PDF tests read the files back with poppler's pdftotext.
missing=()
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ -x /usr/bin/pdftotext ] || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
# The file-store tests run an S3-compatible server: moto, from PyPI.
python3 -c 'import moto.server' 2>/dev/null || python3 -m pip install -q "moto[server]"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ -n "${PORTICO_TEST_POSTGRES_URL:-}" ]; then
    echo "== backends: SQLite and PostgreSQL"
else
    echo "== backends: SQLite only (set PORTICO_TEST_POSTGRES_URL to add PostgreSQL)"
fi
echo "== all modules linked"
cargo test --workspace --all-targets 2>&1 | tee -a "$log"
echo "== modules left out of the build"
cargo test -p portico-tests --no-default-features 2>&1 | tee -a "$log"
echo "== the time-sensitive tests at fixed instants (tests/time_matrix.sh runs all eight)"
tests/time_matrix.sh 2026-03-29T00:50:00Z 2026-10-25T00:50:00Z 2026-01-31T23:55:00Z \
    2026-12-07T08:56:00Z 2>&1 | tee -a "$log"
# One closing line for the whole run.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
