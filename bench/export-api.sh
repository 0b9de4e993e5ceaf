#!/usr/bin/env bash
# Peak memory of `asyncmm serve` while it sends the whole database through
# `GET /api/v1/export`, next to `asyncmm export --output FILE` of the same
# database (docs/performance.md, "Export through the API").
#
#   1. an export of TEAMS teams x ROUNDS closed rounds x 10 detailed
#      respondents (`bench/gen-export.py`) is imported into a fresh SQLite
#      database (or into PG_URL, an empty PostgreSQL database, when set);
#   2. `serve` starts on it; the first admin is created through the set-up
#      link it prints, with curl, and makes an API token on the account
#      page;
#   3. curl downloads the export with that token; the server's peak
#      resident memory (VmHWM in /proc) is read before and after, and the
#      download's time and size are printed;
#   4. the same database is exported by the command line under
#      `/usr/bin/time -v`; the two files must be equal apart from their
#      `exported_at` line.
#
# Needs curl and python3 (and /usr/bin/time). The release binary is built
# into CARGO_TARGET_DIR (default target/); BIN=path uses that binary
# instead (no build). Settings: TEAMS (default 1000), ROUNDS (default 8),
# PORT (default 7980), WORK (default target/bench-export-api), PG_URL,
# DB_FROM (an SQLite database already imported and never served: copied
# instead of importing again, to compare two binaries on the same data).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench-export-api}
TEAMS=${TEAMS:-1000}
ROUNDS=${ROUNDS:-8}
PORT=${PORT:-7980}
PG_URL=${PG_URL:-}
BASE="http://127.0.0.1:$PORT"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
for tool in curl python3; do
  command -v "$tool" > /dev/null || { echo "bench/export-api.sh needs $tool" >&2; exit 1; }
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

if [ -n "$PG_URL" ]; then
  DB=$PG_URL
else
  DB="$WORK/export-api.db"
  rm -f "$DB" "$DB-wal" "$DB-shm"
fi
if [ -n "${DB_FROM:-}" ] && [ -z "$PG_URL" ]; then
  cp "$DB_FROM" "$DB"
else
  DOC="$WORK/org-$TEAMS-$ROUNDS.json"
  [ -s "$DOC" ] || python3 bench/gen-export.py --teams "$TEAMS" --rounds "$ROUNDS" --out "$DOC" >&2
  "$BIN" --database "$DB" import "$DOC" > /dev/null 2>&1
fi

RUST_LOG=warn "$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 300); do
  curl -fs "$BASE/readyz" > /dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2> /dev/null || { cat "$WORK/serve.err" >&2; exit 1; }
  sleep 0.1
done

# The first admin, through the set-up link, then an API token of theirs.
jar="$WORK/admin.jar" page="$WORK/page.html"
link=$(grep -oE 'https?://[^[:space:]]+/invite/[^[:space:]]+' "$WORK/serve.out" | head -1)
[ -n "$link" ] || { echo "serve printed no set-up link (does the database hold accounts?)" >&2; exit 1; }
rm -f "$jar"
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$page" | head -1; }
curl -fsS -c "$jar" -b "$jar" -o "$page" "$link"
curl -fsS -c "$jar" -b "$jar" -o "$page" --data-urlencode "csrf=$(csrf)" --data-urlencode "name=Bench Admin" \
  --data-urlencode "password=bench password 1234" --data-urlencode "repeat=bench password 1234" "$link"
curl -fsS -c "$jar" -b "$jar" -o "$page" "$BASE/account"
curl -fsS -c "$jar" -b "$jar" -o "$page" --data-urlencode "csrf=$(csrf)" --data-urlencode "name=bench" "$BASE/account/tokens"
token=$(grep -oE 'amm_[A-Za-z0-9]+' "$page" | head -1)
[ -n "$token" ] || { echo "no API token was made" >&2; exit 1; }

hwm() { awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$SERVER_PID/status"; }
before=$(hwm)
start=$(date +%s.%N)
curl -fsS -H "Authorization: Bearer $token" -o "$WORK/api.json" "$BASE/api/v1/export"
end=$(date +%s.%N)
after=$(hwm)
bytes=$(stat -c %s "$WORK/api.json")
stop_server

/usr/bin/time -v "$BIN" --database "$DB" export --output "$WORK/cli.json" 2> "$WORK/cli.time"
cli_peak=$(awk -F': ' '/Maximum resident set size/ { print int($2 / 1024) }' "$WORK/cli.time")
cli_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$WORK/cli.time")
if cmp -s <(grep -v '"exported_at"' "$WORK/api.json") <(grep -v '"exported_at"' "$WORK/cli.json"); then
  same="yes"
else
  same="NO"
fi
printf 'API export: %s bytes in %.1f s; server peak RSS %s MB before the export, %s MB after\n' \
  "$bytes" "$(python3 -c "print($end - $start)")" "$before" "$after"
printf 'CLI export: peak RSS %s MB, wall %s\n' "$cli_peak" "$cli_wall"
printf 'same bytes apart from exported_at: %s\n' "$same"
