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
#   - `report --org --format csv` (every round of every team): once with
#     nothing kept yet, then again with the kept results, each with its peak
#     RSS, and (when hyperfine is installed) RUNS more runs with hyperfine;
#     the outputs of the first two runs must be the same bytes;
#   - `report --org --format json` (each team's newest round with the
#     roll-ups: what the org page and the org API build), twice.
#
# Needs python3 and GNU time; psql for PostgreSQL; hyperfine is optional.
# The release binary is built into CARGO_TARGET_DIR (default target/).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench-import}
PG_URL_BASE=${PG_URL_BASE:-}
SIZES=${SIZES:-"1000:8 10000:1"}
RUNS=${RUNS:-5}
mkdir -p "$WORK"
cargo build --release -p asyncmm >&2
BIN=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/asyncmm

measure() { # name output-file command...
  local name=$1 output=$2; shift 2
  local out="$WORK/time.txt"
  /usr/bin/time -f "%e %M" -o "$out" "$@" > "$output"
  read -r secs kb < "$out"
  awk -v n="$name" -v s="$secs" -v kb="$kb" 'BEGIN { printf "%-52s %6.2f s  peak RSS %4.0f MB\n", n, s, kb / 1024 }'
}

views() { # label database
  measure "$1 org csv (first: aggregates, keeps)" "$WORK/org-first.csv" "$BIN" --database "$2" report --org --format csv
  measure "$1 org csv (kept results)" "$WORK/org-kept.csv" "$BIN" --database "$2" report --org --format csv
  if cmp -s "$WORK/org-first.csv" "$WORK/org-kept.csv"; then
    echo "$1 org csv: both runs wrote the same $(wc -l < "$WORK/org-kept.csv") lines"
  else
    echo "$1 org csv: the two runs differ" >&2
    exit 1
  fi
  if command -v hyperfine > /dev/null; then
    hyperfine --style basic --warmup 1 --runs "$RUNS" -n "$1 org csv (kept results)" \
      "'$BIN' --database '$2' report --org --format csv"
  fi
  for run in first second; do
    measure "$1 org json ($run)" /dev/null "$BIN" --database "$2" report --org --format json
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
    psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE IF EXISTS $NAME" -c "CREATE DATABASE $NAME"
    "$BIN" --database "$PG_URL_BASE/$NAME" import "$JSON" > /dev/null
    views "PostgreSQL $teams teams × $rounds" "$PG_URL_BASE/$NAME"
    psql -q "$PG_URL_BASE/postgres" -c "DROP DATABASE $NAME"
  fi
done
