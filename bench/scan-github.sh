#!/usr/bin/env bash
# Times `asyncmm scan github --from DIR` on a synthetic export of 50,000
# issues and pull requests (with 100,000 comments and 50,000 reviews) and
# reports its peak memory. Compared in the same hyperfine run with `jq`
# merely counting the issues file's objects, as a floor for reading the JSON.
#
# Needs python3, hyperfine, GNU time and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${ITEMS:-50000}
WORK=${WORK:-target/bench-github}
RUNS=${RUNS:-5}
cargo build --release -p asyncmm >&2
BIN=$PWD/target/release/asyncmm
DIR="$WORK/export-$ITEMS"
[ -d "$DIR" ] || python3 bench/gen-github-export.py "$DIR" "$ITEMS"
du -sh "$DIR"
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/scan-github.md" \
  -n 'jq: count issues' "jq -s 'map(length) | add' $DIR/issues.json" \
  -n 'asyncmm scan github --from' "$BIN scan github --from $DIR --since 2024-01-01 --until 2030-01-01 --format json"
/usr/bin/time -f "peak RSS of asyncmm scan github: %M KB, %e s" \
  "$BIN" scan github --from "$DIR" --since 2024-01-01 --until 2030-01-01 --format json > /dev/null
