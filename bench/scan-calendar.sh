#!/usr/bin/env bash
# Times `asyncmm scan calendar` on a few hundred synthetic .ics files with a
# year of recurring meetings, with its peak memory, against the Python
# packages icalendar + recurring-ical-events expanding the same window.
#
# Needs python3 with `pip install icalendar recurring-ical-events`, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-300}
WORK=${WORK:-target/bench-calendar}
cargo build --release -p asyncmm >&2
BIN=$PWD/target/release/asyncmm
DIR="$WORK/ics-$PEOPLE"
[ -d "$DIR" ] || python3 bench/gen-calendars.py "$DIR" "$PEOPLE"
du -sh "$DIR"
TIME='%e s wall, %U s user, peak RSS %M KB'
/usr/bin/time -f "python icalendar + recurring-ical-events: $TIME" \
  python3 bench/expand-python.py "$DIR" 2024-01-01 2025-01-01
/usr/bin/time -f "asyncmm scan calendar: $TIME" \
  "$BIN" scan calendar "$DIR" --since 2024-01-01 --until 2024-12-31 --format json > "$WORK/scan.json"
python3 -c "import json; d=json.load(open('$WORK/scan.json')); print({m['id']: m['value'] for m in d['scans'][0]['metrics']})"
