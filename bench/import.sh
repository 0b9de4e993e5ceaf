#!/usr/bin/env bash
# Import throughput and peak memory, side by side with the sqlite3 shell.
#
# Generates (once) the export of a large organisation with
# bench/gen-export.py — by default 1,000 teams × 8 closed rounds × 10
# detailed respondents, 4.8M answers, ~126 MB — and the same answers as CSV,
# then in one run:
#   1. `sqlite3 .import` of the CSV into a table with the columns and primary
#      key of asyncmm's `response_answers` (the floor: the shell's own C
#      loader; without STRICT and the value CHECK, which would refuse the
#      CSV's empty "don't know" values),
#   2. `asyncmm import` into a new SQLite file,
#   3. `asyncmm import` into a new PostgreSQL database (when PG_URL_BASE is
#      set, e.g. postgres://postgres@127.0.0.1:5432).
# Each line reports seconds, answers per second and peak RSS.
#
# Needs python3, sqlite3, GNU time, and psql for PostgreSQL. The release
# binary is built into CARGO_TARGET_DIR (default target/).
set -euo pipefail
cd "$(dirname "$0")/.."
TEAMS=${TEAMS:-1000}
WORK=${WORK:-target/bench-import}
PG_URL_BASE=${PG_URL_BASE:-}
mkdir -p "$WORK"
cargo build --release -p asyncmm >&2
BIN=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/asyncmm
JSON="$WORK/org-$TEAMS.json"
CSV="$WORK/org-$TEAMS.csv"
[ -s "$JSON" ] && [ -s "$CSV" ] || python3 bench/gen-export.py --teams "$TEAMS" --out "$JSON" --csv "$CSV"
ANSWERS=$(wc -l < "$CSV")
echo "export: $(du -hL "$JSON" | cut -f1), $ANSWERS answers"

report() { # name seconds kb
  awk -v n="$1" -v s="$2" -v kb="$3" -v a="$ANSWERS" \
    'BEGIN { printf "%-28s %7.2f s  %9.0f answers/s  peak RSS %4.0f MB\n", n, s, a / s, kb / 1024 }'
}

measure() { # name command...
  local name=$1; shift
  local out="$WORK/time.txt"
  /usr/bin/time -f "%e %M" -o "$out" "$@" > /dev/null
  read -r secs kb < "$out"
  report "$name" "$secs" "$kb"
}

DB="$WORK/sqlite3-import.db"
rm -f "$DB"
sqlite3 "$DB" "CREATE TABLE response_answers (round_id INTEGER NOT NULL, response_id INTEGER NOT NULL,
  item TEXT NOT NULL, value INTEGER, PRIMARY KEY (round_id, response_id, item)) WITHOUT ROWID;"
measure "sqlite3 .import (CSV)" sqlite3 "$DB" -cmd "PRAGMA journal_mode=WAL" ".import --csv $CSV response_answers"

DB="$WORK/asyncmm.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
measure "asyncmm import (SQLite)" "$BIN" --database "$DB" import "$JSON"

if [ -n "$PG_URL_BASE" ]; then
  NAME=asyncmm_bench_import
  psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME"
  measure "asyncmm import (PostgreSQL)" "$BIN" --database "$PG_URL_BASE/$NAME" import "$JSON"
  psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE $NAME"
fi
