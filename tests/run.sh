#!/usr/bin/env bash
# The whole test suite: every crate with every module linked, then the integration tests
# again with the modules left out of the build (`--no-default-features`), which is how the
# suite proves a missing module leaves nothing behind.
#
# On SQLite always; on PostgreSQL too when PORTICO_TEST_POSTGRES_URL is set, e.g.
#   PORTICO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PORTICO_TEST_POSTGRES_URL:-}" ]; then
    echo "== backends: SQLite and PostgreSQL"
else
    echo "== backends: SQLite only (set PORTICO_TEST_POSTGRES_URL to add PostgreSQL)"
fi
echo "== all modules linked"
cargo test --workspace --all-targets
echo "== modules left out of the build"
cargo test -p portico-tests --no-default-features
