#!/usr/bin/env bash
# Times `asyncmm scan slack` on a synthetic Slack export (about 100 MB of
# day files; MB=1000 for a gigabyte), from the zip and from the unpacked
# folder, with its peak memory, against `jq` computing only the message
# count per conversation kind on the same unpacked files.
#
# Needs python3, GNU time and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${MB:-100}
WORK=${WORK:-target/bench-slack}
cargo build --release -p asyncmm >&2
BIN=$PWD/target/release/asyncmm
[ -f "$WORK/export.zip" ] || python3 bench/gen-slack-export.py "$WORK" "$MB"
du -sh "$WORK/export" "$WORK/export.zip"
TIME='%e s wall, %U s user, peak RSS %M KB'
jq_counts() {
  for kind in 'pub-*' 'priv-*' 'mpdm-*' 'D*'; do
    printf '%s ' "$kind"
    # shellcheck disable=SC2086
    find "$WORK"/export/$kind -name '*.json' -print0 | xargs -0 jq -n 'reduce inputs as $d (0; . + ($d | length))' \
      | awk '{ s += $1 } END { print s }'
  done
}
export -f jq_counts
export WORK
echo "jq: messages per conversation kind"
/usr/bin/time -f "jq: $TIME" bash -c jq_counts
for src in export.zip export; do
  /usr/bin/time -f "asyncmm scan slack $src: $TIME" \
    "$BIN" scan slack "$WORK/$src" --since 2024-01-01 --until 2030-01-01 --format json > "$WORK/scan.json"
done
python3 -c "import json,sys; d=json.load(open('$WORK/scan.json')); print({m['id']: m['value'] for m in d['scans'][0]['metrics'][:5]})"
