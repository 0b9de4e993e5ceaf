#!/usr/bin/env python3
"""The comparison for bench/scan-calendar.sh: expands every .ics file of a
folder over a window with the Python packages icalendar and
recurring-ical-events, and counts the instances (no metrics).

usage: expand-python.py DIR SINCE UNTIL   (dates as YYYY-MM-DD)
"""
import datetime
import os
import sys

import icalendar
import recurring_ical_events

folder, since, until = sys.argv[1], sys.argv[2], sys.argv[3]
start = datetime.date.fromisoformat(since)
end = datetime.date.fromisoformat(until)
total = 0
for name in sorted(os.listdir(folder)):
    if name.endswith(".ics"):
        with open(os.path.join(folder, name), "rb") as f:
            cal = icalendar.Calendar.from_ical(f.read())
        total += sum(1 for _ in recurring_ical_events.of(cal).between(start, end))
print(total)
