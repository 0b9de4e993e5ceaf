#!/usr/bin/env bash
# Org report time and peak memory: the first view after an import (every
# closed round aggregated from its answers, then kept) and the views after
# it (kept results read back and gated again).
#
# Uses the exports of bench/gen-export.py: by default 1,000 teams × 8
# closed rounds × 10 detailed respondents (4.8M answers) and 10,000 teams ×
# 1 round × 10 respondents (6M answers). Each is imported into a new SQLite
# file (and, when PG_URL_BASE is set, e.g. postgres://postgres@127.0.0.1:5432,
# into a new PostgreSQL database), then timed:
#   - `report --org --format csv` (every round of every team),
#   - `report --org --format json` (each team's newest round with the
#     roll-ups: what the org page and the org API build),
# each once with nothing kept yet and then twice more.
#
# Needs python3, GNU time, and createdb/dropdb for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench-import}
PG_URL_BASE=${PG_URL_BASE:-}
SIZES=${SIZES:-"1000:8 10000:1"}
mkdir -p "$WORK"
cargo build --release -p asyncmm >&2
BIN=$PWD/target/release/asyncmm

measure() { # name command...
  local name=$1; shift
  local out="$WORK/time.txt"
  /usr/bin/time -f "%e %M" -o "$out" "$@" > /dev/null
  read -r secs kb < "$out"
  awk -v n="$name" -v s="$secs" -v kb="$kb" 'BEGIN { printf "%-44s %6.2f s  peak RSS %4.0f MB\n", n, s, kb / 1024 }'
}

views() { # label database
  for run in first second third; do
    measure "$1 org csv ($run)" "$BIN" --database "$2" report --org --format csv
  done
  for run in first second; do
    measure "$1 org json ($run)" "$BIN" --database "$2" report --org --format json
  done
}

for size in $SIZES; do
  teams=${size%%:*}
  rounds=${size##*:}
  JSON="$WORK/org-$teams-$rounds.json"
  [ -s "$JSON" ] || python3 bench/gen-export.py --teams "$teams" --rounds "$rounds" --out "$JSON"
  DB="$WORK/org-$teams-$rounds.db"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  "$BIN" --database "$DB" import "$JSON" > /dev/null
  views "SQLite $teams teams × $rounds" "$DB"
  if [ -n "$PG_URL_BASE" ]; then
    NAME=asyncmm_bench_org
    dropdb --if-exists -h 127.0.0.1 -U postgres "$NAME"
    createdb -h 127.0.0.1 -U postgres "$NAME"
    "$BIN" --database "$PG_URL_BASE/$NAME" import "$JSON" > /dev/null
    views "PostgreSQL $teams teams × $rounds" "$PG_URL_BASE/$NAME"
    dropdb -h 127.0.0.1 -U postgres "$NAME"
  fi
done
