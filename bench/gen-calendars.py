#!/usr/bin/env python3
"""Writes synthetic iCalendar files, one per person, each with a year of
recurring meetings (daily stand-ups, weekly syncs and 1:1s, monthly
reviews) with EXDATEs, moved and cancelled instances, Outlook zone names,
plus single meetings and focus blocks.

usage: gen-calendars.py DIR [PEOPLE]   (default 300)
"""
import os
import random
import sys

out = sys.argv[1]
people = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(5)
os.makedirs(out, exist_ok=True)
zones = ["Europe/Berlin", "America/New_York", "W. Europe Standard Time", "Eastern Standard Time", "Asia/Tokyo"]


def ev(lines):
    return ["BEGIN:VEVENT"] + lines + ["END:VEVENT"]


for p in range(people):
    me = f"person{p}@example.org"
    zone = zones[p % len(zones)]
    tz = f'TZID="{zone}"' if " " in zone else f"TZID={zone}"
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN", f"X-WR-CALNAME:{me}"]
    team = [f"person{(p // 8) * 8 + i}@example.org" for i in range(8)]
    att = [f"ATTENDEE;PARTSTAT=ACCEPTED;CN=Person {a}:mailto:{a}" for a in team]
    # Daily stand-up for the team, all year, with holidays excluded.
    ex = ",".join(f"2024{m:02d}{d:02d}T093000" for m, d in [(1, 1), (4, 1), (5, 1), (12, 25), (12, 26)])
    body += ev([f"UID:standup-{p // 8}", "SUMMARY:Daily standup", f"DTSTART;{tz}:20240102T093000",
                f"DTEND;{tz}:20240102T094500", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20241231T235959Z",
                f"EXDATE;{tz}:{ex}", "DESCRIPTION:Join Zoom Meeting\\nhttps://zoom.us/j/1\\nPasscode: 1"] + att)
    for month in range(1, 13, 2):
        body += ev([f"UID:standup-{p // 8}", f"RECURRENCE-ID;{tz}:2024{month:02d}15T093000", "SUMMARY:Standup (moved)",
                    f"DTSTART;{tz}:2024{month:02d}15T110000", f"DTEND;{tz}:2024{month:02d}15T111500"] + att)
    body += ev([f"UID:standup-{p // 8}", f"RECURRENCE-ID;{tz}:20240620T093000", "STATUS:CANCELLED",
                f"DTSTART;{tz}:20240620T093000", f"DTEND;{tz}:20240620T094500"] + att)
    # Weekly sync with agenda, weekly 1:1, monthly review (BYSETPOS).
    body += ev([f"UID:sync-{p // 8}", "SUMMARY:Weekly sync", f"DTSTART;{tz}:20240103T140000",
                f"DTEND;{tz}:20240103T150000", "RRULE:FREQ=WEEKLY;BYDAY=WE;COUNT=52",
                "DESCRIPTION:Agenda:\\n1. Metrics\\n2. Risks\\n3. Decisions needed"] + att)
    body += ev([f"UID:one-on-one-{p}", "SUMMARY:1:1", f"DTSTART;{tz}:20240105T160000",
                f"DTEND;{tz}:20240105T163000", "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR",
                f"ATTENDEE:mailto:{me}", f"ATTENDEE:mailto:lead{p // 8}@example.org"])
    body += ev([f"UID:review-{p // 8}", "SUMMARY:Monthly review", f"DTSTART;{tz}:20240131T130000",
                f"DTEND;{tz}:20240131T143000", "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"] + att)
    for i in range(120):
        day = 1 + rng.randrange(360)
        h = 8 + rng.randrange(10)
        import datetime
        d = datetime.date(2024, 1, 1) + datetime.timedelta(days=day)
        stamp = d.strftime("%Y%m%d")
        lines = [f"UID:single-{p}-{i}", "SUMMARY:Chat", f"DTSTART;{tz}:{stamp}T{h:02d}0000",
                 f"DTEND;{tz}:{stamp}T{h:02d}4500", f"ATTENDEE:mailto:{me}"]
        if i % 3:
            lines.append(f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:person{rng.randrange(people)}@example.org")
        if i % 17 == 0:
            lines.append("ATTENDEE;PARTSTAT=DECLINED:mailto:" + me)
        body += ev(lines)
    body.append("END:VCALENDAR")
    with open(os.path.join(out, f"person{p}.ics"), "w", newline="") as f:
        f.write("\r\n".join(body) + "\r\n")
