#!/usr/bin/env bash
# Benchmark: the home page of a signed-in contact (tenant, session, gate, menu, quick-action
# card, widgets and their queries, render) against the no-framework reference server in ../shared/bench,
# in the same run on the same machine, with the same data volume as the reference
# (20,000 projects and 20,000 milestones over 1,000 clients).
#
#   tests/bench.sh                    (DUR=6 seconds per wrk round by default)
#   CONTENT=reference tests/bench.sh  the home arranged to show what the reference page shows
#                                     (the projects summary only: no quick-action cards, no
#                                     other widget)
set -euo pipefail
cd "$(dirname "$0")/.."
need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2"; }; }
need wrk wrk
need sqlite3 sqlite3
need curl curl
cargo build --release -q -p portico-host

port=$(( 20000 + RANDOM % 20000 ))
data=$(mktemp -d)
PORTICO_DATA_DIR=$data PORTICO_BIND=127.0.0.1:$port RUST_LOG=warn target/release/portico demo >"$data/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do grep -q "Ada Park" "$data/out" 2>/dev/null && curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.2; done

sqlite3 "$data/demo.db" <<'SQL'
PRAGMA busy_timeout = 10000;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
INSERT INTO clients (workspace_id, name, created_at) SELECT 1, 'Bench client ' || i, 0 FROM n;
-- Client 1 (Ada's Acme Bakery) gets its share, like the reference's client 7.
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000),
     c(first) AS (SELECT MIN(id) FROM clients WHERE name LIKE 'Bench client %')
INSERT INTO projects (workspace_id, client_id, name, description, status, due_date, progress, created_at, updated_at)
SELECT 1, CASE WHEN i % 1000 = 0 THEN 1 ELSE c.first + (i % 1000) - 1 END, 'Project ' || i, '',
       CASE WHEN i % 5 = 0 THEN 'completed' ELSE 'in_progress' END,
       date('now', '+' || (i % 90) || ' days'), i % 100, 0, 0
FROM n, c;
INSERT INTO milestones (project_id, workspace_id, client_id, title, due_date, position)
SELECT id, workspace_id, client_id, 'Milestone of ' || name, date('now', '+' || (id % 60) || ' days'), 0
FROM projects WHERE name LIKE 'Project %';
COMMIT;
ANALYZE;
SQL

if [ "${CONTENT:-full}" = reference ]; then
    # Every card and widget hidden but the projects summary, whichever modules add them.
    sqlite3 "$data/demo.db" "INSERT INTO home_blocks (workspace_id, block, position, shown) VALUES
        (1, 'card:projects.view', 1, FALSE), (1, 'card:approvals.review', 2, FALSE),
        (1, 'card:gallery.files', 3, FALSE), (1, 'card:billing.pay', 4, FALSE),
        (1, 'widget:core.notifications', 1, FALSE), (1, 'widget:projects.tasks', 2, FALSE),
        (1, 'widget:approvals.pending', 3, FALSE), (1, 'widget:billing.unpaid', 4, FALSE);"
fi
link=$(grep 'Ada Park' "$data/out" | awk '{print $NF}')
cookie=$(curl -s -D - -o /dev/null "$link" | tr -d '\r' | awk -F'[ ;]' 'tolower($1) == "set-cookie:" { print $2 }')
echo "portal page: http://127.0.0.1:$port/w/northwind/portal/ ($(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/w/northwind/portal/" | wc -c) bytes)"
../shared/bench/compare.sh "http://127.0.0.1:$port/w/northwind/portal/" "Cookie: $cookie"
