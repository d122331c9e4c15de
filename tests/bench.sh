#!/usr/bin/env bash
# The portal's benchmark: one command that seeds a realistic data set, serves the release
# build on it, signs contacts in through the real sign-in form, loads the pages a client uses
# with wrk, and prints every figure in one summary table. Not part of CI: at full scale it
# takes tens of minutes.
#
#   tests/bench.sh                        1,000 workspaces on SQLite, 10 s per wrk round
#   SCALE=10 tests/bench.sh               10,000 workspaces
#   BACKEND=postgres tests/bench.sh       on PostgreSQL (a database of its own, dropped after)
#   WORKSPACES=10 DUR=3 tests/bench.sh    a quick run
#
# What it measures (wrk: 2 threads, 64 connections, spread over the signed-in contacts):
#   1. seed time, then per page — home, a project, approvals, invoices, gallery — requests/s,
#      p50 and p99, and the server's peak memory (VmHWM) after those rounds;
#   2. the home page while 200 other contacts sign in at once, from one process
#      (tests/bench/storm.py; the round lasts as long as the sign-ins do), its p99 above all;
#   3. a route the workspace's plan does not grant (feedback on "starter") against a path that
#      does not exist, both for a signed-in contact (both must answer 404);
#   4. the reference server (../shared/bench) against the portal's home, alternating rounds,
#      3 each, and the ratio portal/reference of the medians.
# After every round it checks that no transaction was left open once the load stopped.
# Exits non-zero when a load round had an unexpected status (non-2xx where 200 was expected)
# or socket errors (wrk's timeout: 10 s), when a sign-in failed, when a page lacks the seeded
# content, or when the server logged an error.
#
# Settings (environment): BACKEND=sqlite|postgres, SCALE=1, WORKSPACES=1000×SCALE, DUR=10,
# BIN=path of a built `portico` (default: cargo build --release, then target/release/portico),
# SIGNINS=300 contacts for the page loads, STORM=200 sign-ins during the home load,
# GATED=workspaces put on "starter" (default 1 in 100, at least 1), REF_BIN=reference server,
# PG_HOST=127.0.0.1 PG_PORT=5432 PG_USER=postgres PG_ADMIN_DB=test (trust authentication),
# KEEP=1 keeps the data directory (and database) for a look afterwards.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
repo=$(pwd)
bench=$repo/tests/bench

BACKEND=${BACKEND:-sqlite}
SCALE=${SCALE:-1}
WORKSPACES=${WORKSPACES:-$((1000 * SCALE))}
CLIENTS=${CLIENTS:-20}
CONTACTS=${CONTACTS:-5}
PROJECTS=${PROJECTS:-20}
TASKS=${TASKS:-5}
GATED=${GATED:-$(( WORKSPACES / 100 > 0 ? WORKSPACES / 100 : 1 ))}
SIGNINS=${SIGNINS:-300}
STORM=${STORM:-200}
DUR=${DUR:-10}
THREADS=2
CONNECTIONS=64
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
PG_ADMIN_DB=${PG_ADMIN_DB:-test}

# Every seeded contact and staff member has this password; the hash is its argon2id PHC
# string at the app's parameters (m=19456 KiB, t=2, p=1), made once with argon2-cffi:
#   PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID).hash(PASSWORD)
PASSWORD=portico-bench-password
HASH='$argon2id$v=19$m=19456,t=2,p=1$p7EJ7FC8L7tsAEdGXHF8hA$HGcyPbRojXx4nWw3iSwC2mwM3LwACtEM73/lAVOQJCg'

case $BACKEND in sqlite|postgres) ;; *) echo "BACKEND must be sqlite or postgres" >&2; exit 2;; esac
if [ "$WORKSPACES" -le "$GATED" ]; then echo "WORKSPACES must exceed GATED ($GATED)" >&2; exit 2; fi
if [ "$CONTACTS" -lt 4 ] || [ "$CONTACTS" -gt 16 ]; then echo "CONTACTS must be 4 to 16" >&2; exit 2; fi

need() { command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need curl curl
need sqlite3 sqlite3
need python3 python3
[ "$BACKEND" = postgres ] && need psql postgresql-client

if [ -z "${BIN:-}" ]; then
    cargo build --release -q -p portico-host
    BIN=$repo/target/release/portico
fi
[ -x "$BIN" ] || { echo "no portico binary at $BIN" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portico-bench.XXXXXX")
data=$tmp/data
mkdir -p "$data"
server_pid='' ref_pid='' load_pid='' pg_db='' pg_role=''

cleanup() {
    set +e
    for pid in $load_pid $server_pid $ref_pid; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    if [ -n "$pg_db" ] && [ -z "${KEEP:-}" ]; then
        psql_admin -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
        psql_admin -c "DROP ROLE IF EXISTS $pg_role" >/dev/null
    fi
    if [ -n "${KEEP:-}" ]; then
        echo "kept: $tmp${pg_db:+ and database $pg_db (role $pg_role)}"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_ADMIN_DB" "$@"; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$pg_db" "$@"; }
# Rows of a query, tab-separated, on either backend.
query() {
    if [ "$BACKEND" = sqlite ]; then
        sqlite3 -batch -separator $'\t' "$data/portico.db" "$1"
    else
        psql_db -tA -F $'\t' -c "$1"
    fi
}
now_s() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }
step() { printf '\n== %s\n' "$*"; }

# The server's VmRSS or VmHWM (peak resident memory so far), in MB.
mem() { awk -v f="$1:" '$1 == f { printf "%.1f MB", $2 / 1024 }' "/proc/$server_pid/status"; }
# The server log's lines of level $1 (ERROR, WARN, ERROR|WARN), without colours.
log_lines() { sed 's/\x1b\[[0-9;]*m//g' "$tmp/server.log" | grep -E "^[^ ]+ +($1) " || true; }
failures=()
fail() { failures+=("$*"); printf '!! %s\n' "$*"; }

# ---------------------------------------------------------------------------------------
step "schema and seed: $BACKEND, $WORKSPACES workspaces × $CLIENTS clients × ($CONTACTS contacts, $PROJECTS projects × $TASKS tasks); $GATED on plan starter"
if [ "$BACKEND" = sqlite ]; then
    owner_url="sqlite://$data/portico.db"
    serve_url=$owner_url
else
    suffix=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    pg_db=portico_bench_$suffix
    pg_role=${pg_db}_app
    psql_admin -c "CREATE DATABASE $pg_db"
    psql_admin -c "CREATE ROLE $pg_role LOGIN"
    owner_url="postgres://$PG_USER@$PG_HOST:$PG_PORT/$pg_db"
    # Served as a role that owns no table, so row-level security applies (as in production).
    serve_url="postgres://$pg_role@$PG_HOST:$PG_PORT/$pg_db"
fi
t0=$(now_s)
grant=()
[ "$BACKEND" = postgres ] && grant=(--grant-to "$pg_role")
DATABASE_URL=$owner_url PORTICO_DATA_DIR=$data PORTICO_PLANS_DIR=$repo/plans RUST_LOG=warn \
    "$BIN" migrate "${grant[@]}" >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; exit 1; }
migrate_s=$(since "$t0")
t0=$(now_s)
if [ "$BACKEND" = sqlite ]; then
    {
        echo ".bail on"
        for p in workspaces:$WORKSPACES clients:$CLIENTS contacts:$CONTACTS projects:$PROJECTS \
                 tasks:$TASKS gated:$GATED now:$(date +%s); do
            echo ".parameter set :${p%%:*} ${p#*:}"
        done
        echo ".parameter set :hash \"'$HASH'\""
        cat "$bench/seed.sqlite.sql"
    } | sqlite3 -batch "$data/portico.db" >/dev/null
else
    # Small seeds (up to 20 workspaces) keep the foreign-key checks on: a check of the seed.
    role=replica
    [ "$WORKSPACES" -le 20 ] && role=origin
    psql_db -v workspaces="$WORKSPACES" -v clients="$CLIENTS" -v contacts="$CONTACTS" \
        -v projects="$PROJECTS" -v tasks="$TASKS" -v gated="$GATED" -v hash="$HASH" \
        -v now="$(date +%s)" -v replication_role=$role -f "$bench/seed.postgres.sql" >/dev/null
fi
seed_s=$(since "$t0")
if [ "$BACKEND" = sqlite ] && [ "$WORKSPACES" -le 20 ]; then
    broken=$(sqlite3 "$data/portico.db" "PRAGMA foreign_key_check" | head -5 || true)
    [ -z "$broken" ] || fail "the seed breaks foreign keys: $broken"
fi
rows=$(query "SELECT (SELECT COUNT(*) FROM contacts), (SELECT COUNT(*) FROM projects),
    (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM approvals), (SELECT COUNT(*) FROM invoices),
    (SELECT COUNT(*) FROM files)" | tr '\t' ' ')
read -r n_contacts n_projects n_tasks n_approvals n_invoices n_files <<<"$rows"
db_size=$(if [ "$BACKEND" = sqlite ]; then du -sh "$data/portico.db" | cut -f1; else query "SELECT pg_size_pretty(pg_database_size(current_database()))"; fi)
echo "migrate ${migrate_s} s, seed ${seed_s} s: $n_contacts contacts, $n_projects projects, $n_tasks tasks, $n_approvals approvals, $n_invoices invoices, $n_files files ($db_size)"

# ---------------------------------------------------------------------------------------
step "serve $BIN"
port=$(( 20000 + RANDOM % 20000 ))
base=http://127.0.0.1:$port
serve_env=(DATABASE_URL="$serve_url" PORTICO_BIND=127.0.0.1:$port PORTICO_DATA_DIR="$data"
    PORTICO_BASE_DOMAIN=localhost PORTICO_PLANS_DIR="$repo/plans" RUST_LOG="${RUST_LOG:-warn}")
[ "$BACKEND" = postgres ] && serve_env+=(PORTICO_MIGRATE_ON_START=false)
env "${serve_env[@]}" "$BIN" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/w/agency-1/portal/sign-in" || true)
    [ "$code" = 200 ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log"; echo "the server stopped" >&2; exit 1; }
    sleep 0.2
done
[ "$code" = 200 ] || { cat "$tmp/server.log"; echo "the server did not come up" >&2; exit 1; }
rss_boot=$(mem VmRSS)
echo "pid $server_pid on $base, resident $rss_boot"

# ---------------------------------------------------------------------------------------
# Signing in, as a browser does: GET the form (its CSRF cookie and hidden field), POST the
# email and password with it. Each contact from its own loopback address (127.x.y.z), as
# distinct clients would be: sign-in allows 30 attempts a minute per address.
# Input "SLUG EMAIL ADDRESS"; output "STATUS SLUG EMAIL SESSION-COOKIE".
sign_in() {
    local slug=$1 email=$2 addr=$3 jar form token answer code session
    jar=$(mktemp "$tmp/jar.XXXXXX")
    form=$(curl -s --max-time 60 --interface "$addr" -c "$jar" "$BASE/w/$slug/portal/sign-in")
    token=$(grep -o 'name="csrf_token" value="[0-9a-f]*"' <<<"$form" | head -1 | sed 's/.*value="//; s/"$//')
    answer=$(mktemp "$tmp/answer.XXXXXX")
    code=$(curl -s --max-time 60 --interface "$addr" -b "$jar" -c "$jar" -o "$answer" -w '%{http_code}' \
        --data-urlencode "email=$email" --data-urlencode "password=$PASSWORD" \
        --data-urlencode "csrf_token=$token" "$BASE/w/$slug/portal/sign-in")
    session=$(awk '$6 == "portico_portal" { print $7 }' "$jar")
    rm -f "$jar"
    # A failed answer stays for the report.
    [ "$code" != 303 ] || rm -f "$answer"
    printf '%s %s %s %s\n' "$code" "$slug" "$email" "${session:--}"
}
export -f sign_in
export BASE=$base PASSWORD tmp
# "SLUG EMAIL" lines on stdin, each given a local address of its own under PREFIX (127.N).
from_addresses() {
    awk -v prefix="$1" '{ i = NR - 1; print $1, $2, prefix "." int(i / 250) "." (i % 250 + 1) }'
}
# "SLUG EMAIL" lines on stdin, PREFIX (127.N) and parallelism as arguments.
sign_in_all() {
    from_addresses "$1" | xargs -P "$2" -L 1 bash -c 'sign_in "$@"' _
}

# Contacts holding every permission (client_admin), spread over the workspaces and clients of
# a plan; with their client and an in-progress project of it.
admins_of() {
    query "SELECT w.slug, c.email, c.client_id,
               (SELECT MIN(p.id) FROM projects p WHERE p.workspace_id = c.workspace_id
                  AND p.client_id = c.client_id AND p.status = 'in_progress')
           FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
           WHERE w.plan_id = '$1' AND EXISTS (SELECT 1 FROM contact_permissions cp
                 WHERE cp.contact_id = c.id AND cp.permission = 'can_approve_work')
           ORDER BY (c.id * 7919) % 100003, c.id LIMIT $2"
}

step "sign in $SIGNINS contacts (and a few on the starter plan) through the sign-in form"
t0=$(now_s)
admins_of scale "$SIGNINS" >"$tmp/contacts.tsv"
admins_of starter 20 >"$tmp/gated_contacts.tsv"
cut -f1,2 "$tmp/contacts.tsv" | tr '\t' ' ' | sign_in_all 127.1 8 >"$tmp/signed.txt"
cut -f1,2 "$tmp/gated_contacts.tsv" | tr '\t' ' ' | sign_in_all 127.3 8 >"$tmp/gated_signed.txt"
ok=$(awk '$1 == 303 && $4 != "-"' "$tmp/signed.txt" | wc -l)
gated_ok=$(awk '$1 == 303 && $4 != "-"' "$tmp/gated_signed.txt" | wc -l)
workspaces_used=$(awk '$1 == 303 { print $2 }' "$tmp/signed.txt" | sort -u | wc -l)
clients_used=$(cut -f3 "$tmp/contacts.tsv" | sort -u | wc -l)
signin_s=$(since "$t0")
echo "$ok of $(wc -l <"$tmp/contacts.tsv") signed in (303 + session cookie) over $workspaces_used workspaces and $clients_used clients; starter: $gated_ok of $(wc -l <"$tmp/gated_contacts.tsv"); $signin_s s"
[ "$ok" -eq "$(wc -l <"$tmp/contacts.tsv")" ] && [ "$ok" -gt 0 ] || fail "sign-in: only $ok of $(wc -l <"$tmp/contacts.tsv") succeeded ($(cut -d' ' -f1 "$tmp/signed.txt" | sort | uniq -c | tr '\n' ' '))"
[ "$gated_ok" -eq "$(wc -l <"$tmp/gated_contacts.tsv")" ] && [ "$gated_ok" -gt 0 ] || fail "sign-in on starter: only $gated_ok succeeded"
hwm_signin=$(mem VmHWM)
echo "server memory peak so far (VmHWM, argon2 takes 19 MiB a verification): $hwm_signin"

# Targets: "PATH<TAB>COOKIE" per signed-in contact, one file per page.
join -t $'\t' <(awk '$1 == 303 { print $3 "\t" $4 }' "$tmp/signed.txt" | sort) \
              <(awk -F'\t' '{ print $2 "\t" $1 "\t" $3 "\t" $4 }' "$tmp/contacts.tsv" | sort) \
    >"$tmp/sessions.tsv"     # email, session, slug, client, project
targets() { awk -F'\t' -v fmt="$2" '{ path = fmt; gsub("SLUG", $3, path); gsub("PROJECT", $5, path); print path "\tportico_portal=" $2 }' "$1"; }
targets "$tmp/sessions.tsv" /w/SLUG/portal/ >"$tmp/t_home"
targets "$tmp/sessions.tsv" /w/SLUG/portal/projects/PROJECT >"$tmp/t_project"
targets "$tmp/sessions.tsv" /w/SLUG/portal/approvals >"$tmp/t_approvals"
targets "$tmp/sessions.tsv" /w/SLUG/portal/billing >"$tmp/t_billing"
targets "$tmp/sessions.tsv" /w/SLUG/portal/gallery >"$tmp/t_gallery"
awk '$1 == 303 { print "/w/" $2 "/portal/feedback\tportico_portal=" $4 }' "$tmp/gated_signed.txt" >"$tmp/t_gated"
awk '$1 == 303 { print "/w/" $2 "/portal/no-such-page\tportico_portal=" $4 }' "$tmp/gated_signed.txt" >"$tmp/t_missing"
printf '/page\tx=1\n' >"$tmp/t_reference"

if [ ! -s "$tmp/sessions.tsv" ]; then
    fail "no contact could sign in: nothing to measure (the server's log: $tmp/server.log)"
    tail -20 "$tmp/server.log"
    exit 1
fi

# ---------------------------------------------------------------------------------------
step "content check: each page, for one signed-in contact, shows what was seeded for its client"
IFS=$'\t' read -r c_email c_session c_slug c_client c_project <"$tmp/sessions.tsv"
project_name=$(query "SELECT name FROM projects WHERE id = $c_project")
approval_title=$(query "SELECT title FROM approvals WHERE client_id = $c_client AND status <> 'draft' ORDER BY id LIMIT 1")
invoice_number=$(query "SELECT number FROM invoices WHERE client_id = $c_client AND status <> 'draft' ORDER BY id DESC LIMIT 1")
# PATH COOKIE STATUS TEXT...: the answer's status, and each TEXT in its body.
check_page() {
    local path=$1 cookie=$2 want=$3 body code needle
    shift 3
    body=$tmp/page.html
    code=$(curl -s -o "$body" -w '%{http_code}' -H "Cookie: portico_portal=$cookie" "$base$path")
    for needle in "$@"; do
        grep -qF -- "$needle" "$body" || { fail "$path: no \"$needle\" in the page (status $code)"; return; }
    done
    if [ "$code" = "$want" ]; then
        local shown=''
        [ $# -eq 0 ] || printf -v shown ', "%s"' "$@"
        printf '  %-46s %s, %6d bytes%s\n' "$path" "$code" "$(wc -c <"$body")" "${shown:+, shows${shown#,}}"
    else
        fail "$path answered $code, not $want"
    fi
}
check_page "/w/$c_slug/portal/" "$c_session" 200 "Done: Sitemap and navigation" "Your projects"
check_page "/w/$c_slug/portal/projects/$c_project" "$c_session" 200 "$project_name" "Kick-off workshop" "This week: the first designs"
check_page "/w/$c_slug/portal/approvals" "$c_session" 200 "$approval_title"
check_page "/w/$c_slug/portal/billing" "$c_session" 200 "$invoice_number"
check_page "/w/$c_slug/portal/gallery" "$c_session" 200 "Team photo.jpg"
check_page "/w/$c_slug/portal/feedback" "$c_session" 200
g_slug='' g_session=''
read -r _ g_slug _ g_session < <(awk '$1 == 303' "$tmp/gated_signed.txt") || true
if [ -n "$g_session" ]; then
    check_page "/w/$g_slug/portal/feedback" "$g_session" 404
    cp "$tmp/page.html" "$tmp/gated.html"
    check_page "/w/$g_slug/portal/no-such-page" "$g_session" 404
    if cmp -s "$tmp/gated.html" "$tmp/page.html"; then
        echo "  the gated route's answer is byte for byte the missing path's"
    else
        fail "the gated route's 404 differs from the missing path's"
    fi
fi

# ---------------------------------------------------------------------------------------
# wrk against URL with the "PATH<TAB>COOKIE" lines of TARGETS: NAME TARGETS EXPECTED-STATUS
# URL DURATION. Its report goes to $tmp/wrk-NAME.txt (the last line is pages.lua's figures).
run_wrk() {
    BENCH_TARGETS=$2 BENCH_EXPECT=$3 exec wrk -t$THREADS -c$CONNECTIONS -d"$5" --timeout 10s \
        --latency -s "$bench/pages.lua" "$4" >"$tmp/wrk-$1.txt" 2>&1
}
# Reads round NAME's figures into R_RPS/R_P50/R_P99/R_STATUS and prints them; a round with
# answers other than EXPECTED-STATUS, or with socket errors, is a failure. Then, unless the
# third argument is "other" (a round against another server), looks at the portal's state.
declare -A R_RPS R_P50 R_P99 R_STATUS
report() {
    local name=$1 expect=$2 target=${3:-portal} out=$tmp/wrk-$1.txt line unexpected socket
    line=$(grep '^BENCH ' "$out" | tail -1 || true)
    if [ -z "$line" ]; then
        fail "$name: wrk gave no figures: $(tail -3 "$out" | tr '\n' ' ')"
        R_RPS[$name]=0 R_P50[$name]=0 R_P99[$name]=0 R_STATUS[$name]=none
        return 0
    fi
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    R_RPS[$name]=$(field rps) R_P50[$name]=$(field p50_ms) R_P99[$name]=$(field p99_ms)
    R_STATUS[$name]=$(field statuses)
    unexpected=$(field unexpected) socket=$(field socket_errors)
    printf '  %-22s %9s req/s  p50 %8s ms  p99 %8s ms  answers %s\n' "$name" "${R_RPS[$name]}" \
        "${R_P50[$name]}" "${R_P99[$name]}" "${R_STATUS[$name]}"
    [ "$unexpected" = 0 ] || fail "$name: $unexpected answers were not $expect (${R_STATUS[$name]})"
    [ "$socket" = 0 ] || fail "$name: $socket socket errors ($(grep -m1 'Socket errors' "$out" || true))"
    [ "$target" = portal ] || return 0
    local errors open
    open=$(open_transactions)
    if [ -n "$open" ]; then
        printf '  !! after this round, with no load: %s\n' "$open"
        leaks+=("$name")
    fi
    errors=$(log_lines ERROR | wc -l)
    if [ "$errors" -gt "$errors_seen" ]; then
        printf '  !! the server logged %d errors by the end of this round; the first new one: %s\n' \
            $((errors - errors_seen)) "$(log_lines ERROR | sed -n "$((errors_seen + 1))p" | cut -c1-200)"
        errors_seen=$errors
    fi
}
errors_seen=0 leaks=()
# A transaction still open once the load has stopped was left behind by a request (one the
# client gave up on): on SQLite it holds the write lock, so every write waits and fails.
open_transactions() {
    if [ "$BACKEND" = sqlite ]; then
        sqlite3 -cmd ".timeout 3000" "$data/portico.db" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1 ||
            echo "the SQLite write lock is still held (a transaction was left open)"
    else
        sleep 1
        local n
        n=$(query "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND usename = '$pg_role' AND state LIKE 'idle in transaction%'")
        [ "$n" = 0 ] || echo "$n of the server's connections are idle in a transaction"
    fi
}
# One round of DUR seconds: NAME TARGETS [EXPECTED-STATUS [URL]].
round() {
    local expect=${3:-200}
    (run_wrk "$1" "$2" "$expect" "${4:-$base}" "${DUR}s") || true
    report "$1" "$expect" "$([ "${4:-$base}" = "$base" ] && echo portal || echo other)"
}

step "page loads: wrk -t$THREADS -c$CONNECTIONS, ${DUR} s a page, over $(wc -l <"$tmp/t_home") sessions"
for page in home project approvals billing gallery; do
    round "$page" "$tmp/t_$page"
done
hwm_pages=$(mem VmHWM) rss_pages=$(mem VmRSS)
echo "  server memory: peak (VmHWM) $hwm_pages, resident now (VmRSS) $rss_pages"

# ---------------------------------------------------------------------------------------
step "home load while $STORM other contacts sign in at once"
query "SELECT w.slug, c.email FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
       WHERE w.plan_id = 'scale' AND NOT EXISTS (SELECT 1 FROM contact_permissions cp
             WHERE cp.contact_id = c.id AND cp.permission = 'can_approve_work')
       ORDER BY (c.id * 7919) % 100003, c.id LIMIT $STORM" | tr '\t' ' ' >"$tmp/storm_contacts.txt"
# The home round lasts exactly as long as the storm: wrk starts, the sign-ins start a second
# later, and when the last has answered wrk is stopped (SIGINT: it reports what it measured).
BENCH_TARGETS=$tmp/t_home BENCH_EXPECT=200 wrk -t$THREADS -c$CONNECTIONS -d3600s --timeout 10s \
    --latency -s "$bench/pages.lua" "$base" >"$tmp/wrk-storm_home.txt" 2>&1 &
load_pid=$!
sleep 1
t0=$(now_s)
# All at once from one process (storm.py): curl's dozen processes a sign-in would compete
# with the server for the two cores and measure the client.
from_addresses 127.2 <"$tmp/storm_contacts.txt" | python3 "$bench/storm.py" "$base" "$PASSWORD" >"$tmp/storm.txt"
storm_s=$(since "$t0")
kill -INT "$load_pid" 2>/dev/null || true
wait "$load_pid" || true
load_pid=''
report storm_home 200
storm_ok=$(awk '$1 == 303 && $4 != "-"' "$tmp/storm.txt" | wc -l)
storm_n=$(wc -l <"$tmp/storm_contacts.txt")
echo "  sign-ins: $storm_ok of $storm_n answered 303 with a session, in $storm_s s ($(cut -d' ' -f1 "$tmp/storm.txt" | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }'))"
[ "$storm_ok" -eq "$storm_n" ] || fail "storm: only $storm_ok of $storm_n sign-ins succeeded"

# ---------------------------------------------------------------------------------------
step "a route the plan does not grant vs a path that does not exist (signed in, starter workspaces)"
if [ -s "$tmp/t_gated" ]; then
    round gated "$tmp/t_gated" 404
    round missing "$tmp/t_missing" 404
else
    fail "no signed-in contact on the starter plan: gated and missing rounds skipped"
fi

# ---------------------------------------------------------------------------------------
step "reference server (../shared/bench) /page vs the portal's home, 3 rounds each, alternating"
if [ -z "${REF_BIN:-}" ]; then
    REF_BIN=$repo/../shared/bench/refserver/target/release/refserver
    [ -x "$REF_BIN" ] || cargo build --release -q --manifest-path "$repo/../shared/bench/refserver/Cargo.toml"
fi
[ -x "$REF_BIN" ] || { fail "no reference server at $REF_BIN"; exit 1; }
ref_port=$(( port + 1 ))
REF_ADDR=127.0.0.1:$ref_port REF_DB=$tmp/refserver.db "$REF_BIN" >"$tmp/refserver.log" 2>&1 &
ref_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ref_port/hello" >/dev/null && break; sleep 0.2; done
ref_rps=() ref_p99=() app_rps=() app_p99=()
for r in 1 2 3; do
    round "reference_$r" "$tmp/t_reference" 200 "http://127.0.0.1:$ref_port"
    round "portal_home_$r" "$tmp/t_home"
    ref_rps+=("${R_RPS[reference_$r]}") ref_p99+=("${R_P99[reference_$r]}")
    app_rps+=("${R_RPS[portal_home_$r]}") app_p99+=("${R_P99[portal_home_$r]}")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
ref_rps_m=$(median "${ref_rps[@]}") ref_p99_m=$(median "${ref_p99[@]}")
app_rps_m=$(median "${app_rps[@]}") app_p99_m=$(median "${app_p99[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# A page can answer 200 and still have failed to write (a page view it records, a session's
# last activity): the server's log tells. An error there fails the run; warnings (a slow
# statement, a database notice) are listed under the summary.
server_errors=$(log_lines ERROR | wc -l)
server_warnings=$(log_lines WARN | wc -l)
if [ "$server_errors" -gt 0 ]; then
    fail "the server logged $server_errors errors; the first: $(log_lines ERROR | head -1 | cut -c1-250 || true)"
fi

# ---------------------------------------------------------------------------------------
row() { printf '%-44s %10s %9s %9s   %s\n' "$@"; }
step "summary — $BACKEND, $WORKSPACES workspaces ($n_contacts contacts, $n_projects projects, $n_tasks tasks, $n_approvals approvals, $n_invoices invoices, $n_files files, $db_size); wrk -t$THREADS -c$CONNECTIONS, ${DUR} s rounds"
row "figure" "req/s" "p50 ms" "p99 ms" "notes"
row "seed (migrate ${migrate_s} s)" "" "" "" "${seed_s} s"
row "sign-in of $ok + $gated_ok contacts, 8 at a time" "" "" "" "$signin_s s, GET + POST /portal/sign-in; $workspaces_used workspaces, $clients_used clients"
for page in home project approvals billing gallery; do
    label=$page
    case $page in
        home) label="home /portal/" ;;
        project) label="project /portal/projects/{id}" ;;
        approvals) label="approvals /portal/approvals" ;;
        billing) label="invoices /portal/billing" ;;
        gallery) label="gallery /portal/gallery" ;;
    esac
    row "$label" "${R_RPS[$page]}" "${R_P50[$page]}" "${R_P99[$page]}" "${R_STATUS[$page]}"
done
row "server peak memory (VmHWM) after the pages" "" "" "" "$hwm_pages (VmRSS now $rss_pages; at start $rss_boot; after the sign-ins' argon2 $hwm_signin)"
row "home during $storm_n concurrent sign-ins" "${R_RPS[storm_home]}" "${R_P50[storm_home]}" "${R_P99[storm_home]}" "${R_STATUS[storm_home]}; sign-ins ${storm_ok}/${storm_n} (303) in ${storm_s} s"
row "gated route (feedback, plan starter)" "${R_RPS[gated]:-}" "${R_P50[gated]:-}" "${R_P99[gated]:-}" "${R_STATUS[gated]:-skipped}"
row "missing path (same contacts)" "${R_RPS[missing]:-}" "${R_P50[missing]:-}" "${R_P99[missing]:-}" "${R_STATUS[missing]:-skipped}"
row "reference /page (median of 3)" "$ref_rps_m" "" "$ref_p99_m" "rounds: ${ref_rps[*]} req/s"
row "portal home (median of 3)" "$app_rps_m" "" "$app_p99_m" "rounds: ${app_rps[*]} req/s"
row "ratio portal/reference" "$(ratio "$app_rps_m" "$ref_rps_m")" "" "$(ratio "$app_p99_m" "$ref_p99_m")" "req/s and p99; the reference is on SQLite"
row "server log" "" "" "" "$server_errors errors, $server_warnings warnings"
row "rounds that left a transaction open" "" "" "" "${#leaks[@]}${leaks:+ (after: ${leaks[*]})}"
if [ $((server_errors + server_warnings)) -gt 0 ]; then
    echo
    echo "the server's errors and warnings (count, message):"
    { log_lines 'ERROR|WARN' | cut -c28-330 | sed 's/latency=[0-9]* ms/latency=… ms/' | sort | uniq -c |
        sort -rn | head -15; } || true
fi

if [ ${#failures[@]} -gt 0 ]; then
    printf '\n!!!!!!!! BENCHMARK FAILED: %d problem(s) — figures above are not trustworthy\n' "${#failures[@]}"
    printf '!!  %s\n' "${failures[@]}"
    answer=$(find "$tmp" -name 'answer.*' -print -quit)
    if [ -n "$answer" ]; then
        printf '!!  a failed sign-in was answered: %s\n' "$(sed 's/<[^>]*>/ /g' "$answer" | tr -s ' \n\t' ' ' | cut -c1-300)"
    fi
    exit 1
fi
echo
echo "ok: every round answered as expected, no socket errors"
