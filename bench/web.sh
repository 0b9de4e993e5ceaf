#!/usr/bin/env bash
# Web server throughput and latency with wrk, against `asyncmm serve` on
# loopback, on a fresh SQLite database (and a fresh PostgreSQL database
# when PG_URL_BASE is set, e.g. postgres://postgres@127.0.0.1:5432):
#
#   (a) respondent submissions: POSTs of answer pages to /r/{token}/{page},
#       cycling over TOKENS personal links of an open quick round (issued
#       with `round tokens`), each page answering its area;
#   (b) the result page of a closed detailed round with 50 responses
#       (imported), read by the signed-in admin;
#   (c) the org page at ORG_TEAMS teams (an import of
#       `bench/gen-export.py --teams ORG_TEAMS --rounds 1`), read by the
#       signed-in admin.
#
# The admin is created through the one-time set-up link `serve` prints,
# with curl; its session cookie is handed to wrk. Answer forms carry a
# form token that must equal the browser's `asyncmm_form` cookie (double
# submit): the script GETs one answer page with curl to receive such a
# pair, then wrk sends it with every POST, as a browser that opened the
# page would. The first view of (b) and (c) (which publishes the result,
# and for the org page aggregates every round) is timed on its own with
# curl before wrk measures the views after it.
#
# Prints one table: requests/s, p50 and p99 latency, failed requests, and
# the targets (submissions >= 2,000/s with p99 < 50 ms; org page < 100 ms
# at 1,000 teams, read here as p99).
#
# Needs wrk, curl and python3; psql for PostgreSQL. The release binary is
# built into CARGO_TARGET_DIR (default target/); BIN=path uses that binary
# instead (no build). Settings: DURATION (wrk -d, default 20s), THREADS
# (default 2), CONNECTIONS (default 16), TOKENS (default 2000), ORG_TEAMS
# (default 1000), PORT (default 7979), WORK (default target/bench-web),
# ONLY (a comma-separated choice of submit, result, org: the lines to run;
# default all three).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench-web}
PG_URL_BASE=${PG_URL_BASE:-}
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
TOKENS=${TOKENS:-2000}
ORG_TEAMS=${ORG_TEAMS:-1000}
PORT=${PORT:-7979}
ONLY=${ONLY:-submit,result,org}
BASE="http://127.0.0.1:$PORT"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
# Whether ONLY selects a line.
wanted() { # line
  case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac
}
for line in ${ONLY//,/ }; do
  case "$line" in submit | result | org) ;; *) echo "ONLY: unknown line \"$line\" (submit, result, org)" >&2; exit 1 ;; esac
done
for tool in wrk curl python3; do
  command -v "$tool" > /dev/null || { echo "bench/web.sh needs $tool" >&2; exit 1; }
done
if [ -z "${BIN:-}" ]; then
  cargo build --release -p asyncmm >&2
  BIN=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/asyncmm
fi

SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT

# Starts `serve` on a database and waits until it is ready.
start_server() { # database
  stop_server
  RUST_LOG=warn "$BIN" --database "$1" serve --bind "127.0.0.1:$PORT" > "$WORK/serve.out" 2> "$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -fs "$BASE/readyz" > /dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$WORK/serve.err" >&2
  exit 1
}

# Creates the first admin through the set-up link the server printed and
# prints the session cookie's value.
admin_session() {
  local link jar="$WORK/admin.jar" page="$WORK/page.html" csrf status
  link=$(grep -oE 'https?://[^[:space:]]+/invite/[^[:space:]]+' "$WORK/serve.out" | head -1)
  [ -n "$link" ] || { echo "serve printed no set-up link (does the database hold accounts?)" >&2; exit 1; }
  rm -f "$jar"
  curl -fsS -c "$jar" -b "$jar" -o "$page" "$link"
  csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$page" | head -1)
  status=$(curl -sS -c "$jar" -b "$jar" -o "$page" -w '%{http_code}' \
    --data-urlencode "csrf=$csrf" --data-urlencode "name=Bench Admin" \
    --data-urlencode "password=bench password 1234" --data-urlencode "repeat=bench password 1234" "$link")
  [ "$status" = 303 ] || [ "$status" = 200 ] || { echo "set-up failed with HTTP $status" >&2; exit 1; }
  awk '$6 == "asyncmm_session" { print $7 }' "$jar" | tail -1
}

# The id of a team's newest round.
newest_round() { # database team
  "$BIN" --database "$1" round list --team "$2" --format json |
    python3 -c 'import json, sys; print(max(r["id"] for r in json.load(sys.stdin)))'
}

# The summary every wrk script ends with: one line for the table.
DONE_LUA='
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, summary.requests))
end
'
printf '%s' "$DONE_LUA" > "$WORK/read.lua"
cat > "$WORK/submit.lua" << 'LUA'
-- POSTs answer pages: request n answers page p of token t, cycling over
-- every token before moving to the next page. Arguments: the token file,
-- the form token (cookie and field), the number of wrk threads.
local areas = { "documentation", "decision-making", "work-tracking", "meetings", "leadership-culture" }
local tokens, csrf, step, counter = {}, "", 1, 0
local index = 0

function setup(thread)
  thread:set("id", index)
  index = index + 1
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  csrf = args[2]
  step = tonumber(args[3])
  counter = id
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "asyncmm_form=" .. csrf
end

function request()
  local n = #tokens
  local token = tokens[(counter % n) + 1]
  local page = (math.floor(counter / n) % #areas) + 1
  local body = "csrf=" .. csrf .. "&area." .. areas[page] .. "=" .. (counter % 4) .. "&go=next"
  counter = counter + step
  return wrk.format("POST", "/r/" .. token .. "/" .. page, nil, body)
end
LUA
printf '%s' "$DONE_LUA" >> "$WORK/submit.lua"

ROWS=()
run_wrk() { # label target script url [wrk args...]
  local label=$1 target=$2 script=$3 url=$4 line; shift 4
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout 5s -s "$script" "$url" "$@" > "$WORK/wrk.out" 2>&1 ||
    { cat "$WORK/wrk.out" >&2; exit 1; }
  line=$(grep '^RESULT ' "$WORK/wrk.out" | tail -1)
  [ -n "$line" ] || { cat "$WORK/wrk.out" >&2; exit 1; }
  ROWS+=("$label|$target|${line#RESULT }")
}

# The submission and result benchmarks on one database.
answers_and_results() { # label database
  local label=$1 db=$2 r1 r2 first csrf session t
  "$BIN" --database "$db" team add bench-answers > /dev/null
  "$BIN" --database "$db" team add bench-results > /dev/null
  "$BIN" --database "$db" round open --team bench-answers --mode quick > /dev/null
  r1=$(newest_round "$db" bench-answers)
  rm -f "$WORK/tokens.csv"
  "$BIN" --database "$db" round tokens "$r1" --count "$TOKENS" --csv "$WORK/tokens.csv" > /dev/null
  tail -n +2 "$WORK/tokens.csv" | cut -d, -f2 > "$WORK/tokens.txt"
  # A closed detailed round with 50 imported responses.
  "$BIN" --database "$db" round open --team bench-results --mode detailed > /dev/null
  r2=$(newest_round "$db" bench-results)
  rm -f "$WORK/responses.csv"
  "$BIN" --database "$db" round template --mode detailed --output "$WORK/responses.csv" > /dev/null
  python3 - "$WORK/responses.csv" << 'PY'
import csv, random, sys
path = sys.argv[1]
with open(path, newline="", encoding="utf-8") as f:
    columns = len(next(csv.reader(f)))
rng = random.Random(7)
with open(path, "a", newline="", encoding="utf-8") as f:
    out = csv.writer(f)
    for _ in range(50):
        out.writerow([rng.choice("0123") for _ in range(columns)])
PY
  "$BIN" --database "$db" round import "$r2" "$WORK/responses.csv" > /dev/null
  "$BIN" --database "$db" round close "$r2" --yes > /dev/null

  start_server "$db"
  session=$(admin_session)
  # A form token pair as a respondent's browser receives it.
  first=$(head -1 "$WORK/tokens.txt")
  rm -f "$WORK/respondent.jar"
  curl -fsS -c "$WORK/respondent.jar" -o "$WORK/page.html" "$BASE/r/$first/1"
  csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/page.html" | head -1)
  [ -n "$csrf" ] && grep -q "asyncmm_form[[:space:]]$csrf" "$WORK/respondent.jar" ||
    { echo "the answer page gave no form token" >&2; exit 1; }
  if wanted submit; then
    run_wrk "$label submit answer page" ">= 2000/s, p99 < 50 ms" "$WORK/submit.lua" "$BASE" \
      -- "$WORK/tokens.txt" "$csrf" "$THREADS"
    "$BIN" --database "$db" round status "$r1"
  fi

  if ! wanted result; then
    stop_server
    return
  fi
  t=$(curl -fsS -o "$WORK/page.html" -w '%{time_total}' -H "Cookie: asyncmm_session=$session" "$BASE/rounds/$r2")
  grep -q 'Result per area' "$WORK/page.html" || { echo "the result page shows no result" >&2; exit 1; }
  echo "$label result page, first view (publishes): $(awk -v t="$t" 'BEGIN { printf "%.1f ms", t * 1000 }')"
  run_wrk "$label result page (50 responses)" "–" "$WORK/read.lua" "$BASE/rounds/$r2" \
    -H "Cookie: asyncmm_session=$session"
  stop_server
}

# The org page benchmark on a database imported from an export.
org_page() { # label database
  local label=$1 db=$2 session t
  "$BIN" --database "$db" import "$ORG_JSON" > /dev/null
  start_server "$db"
  session=$(admin_session)
  t=$(curl -fsS -o "$WORK/page.html" -w '%{time_total}' -H "Cookie: asyncmm_session=$session" "$BASE/org")
  grep -q 'Team 00001' "$WORK/page.html" || { echo "the org page lists no team" >&2; exit 1; }
  echo "$label org page, first view (aggregates every round): $(awk -v t="$t" 'BEGIN { printf "%.1f ms", t * 1000 }')"
  run_wrk "$label org page ($ORG_TEAMS teams)" "p99 < 100 ms" "$WORK/read.lua" "$BASE/org" \
    -H "Cookie: asyncmm_session=$session"
  stop_server
}

ORG_JSON="$WORK/org-$ORG_TEAMS-1.json"
! wanted org || [ -s "$ORG_JSON" ] || python3 bench/gen-export.py --teams "$ORG_TEAMS" --rounds 1 --out "$ORG_JSON"

if wanted submit || wanted result; then
  DB="$WORK/web.db"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  answers_and_results "SQLite" "$DB"
fi
if wanted org; then
  DB="$WORK/org.db"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  org_page "SQLite" "$DB"
fi
if [ -n "$PG_URL_BASE" ]; then
  for name in asyncmm_bench_web asyncmm_bench_web_org; do
    psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  done
  if wanted submit || wanted result; then
    answers_and_results "PostgreSQL" "$PG_URL_BASE/asyncmm_bench_web"
  fi
  if wanted org; then
    org_page "PostgreSQL" "$PG_URL_BASE/asyncmm_bench_web_org"
  fi
  for name in asyncmm_bench_web asyncmm_bench_web_org; do
    psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE $name"
  done
fi

echo
echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per line; latency in ms"
printf '%-44s %9s %8s %8s %10s  %s\n' "what" "req/s" "p50" "p99" "failed/all" "target"
for row in "${ROWS[@]}"; do
  IFS='|' read -r label target numbers <<< "$row"
  read -r rps p50 p99 failed total <<< "$numbers"
  printf '%-44s %9s %8s %8s %10s  %s\n' "$label" "$rps" "$p50" "$p99" "$failed/$total" "$target"
done
