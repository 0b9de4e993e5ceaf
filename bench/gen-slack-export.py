#!/usr/bin/env python3
"""Writes a synthetic Slack workspace export as Slack's export does: users.json,
channels.json, groups.json, mpims.json, dms.json and one folder per
conversation with one JSON file per day, then packs it into a zip.

usage: gen-slack-export.py DIR [MEGABYTES]   (uncompressed size, default 100)

DIR/export/ is the unpacked folder, DIR/export.zip the zip. Conversation
folders are named so that a shell glob picks one kind: pub-*, priv-*,
mpdm-* and D* (as Slack names DM folders by id).
"""
import json
import os
import random
import sys
import zipfile

out = sys.argv[1]
target = int(sys.argv[2]) * 1_000_000 if len(sys.argv) > 2 else 100_000_000
rng = random.Random(11)
root = os.path.join(out, "export")
os.makedirs(root, exist_ok=True)
zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "America/Los_Angeles", "Australia/Sydney"]
users = [{"id": f"U{i:05d}", "name": f"user{i}", "real_name": f"User {i}", "tz": zones[i % len(zones)],
          "tz_offset": 0, "deleted": i % 50 == 0, "is_bot": False} for i in range(300)]
users.append({"id": "UBOT", "name": "ci", "is_bot": True})
kinds = {
    "channels.json": [{"id": f"C{i}", "name": f"pub-{'standup' if i == 0 else 'chan'}{i}"} for i in range(60)],
    "groups.json": [{"id": f"G{i}", "name": f"priv-{i}"} for i in range(20)],
    "mpims.json": [{"id": f"M{i}", "name": f"mpdm-{i}", "members": []} for i in range(30)],
    "dms.json": [{"id": f"D{i}", "members": []} for i in range(90)],
}
with open(os.path.join(root, "users.json"), "w") as f:
    json.dump(users, f)
for name, convs in kinds.items():
    with open(os.path.join(root, name), "w") as f:
        json.dump(convs, f)
folders = [c["name"] for c in kinds["channels.json"] + kinds["groups.json"] + kinds["mpims.json"]] + \
          [c["id"] for c in kinds["dms.json"]]
words = "the a deploy review plan fix ship test build docs meeting later today tomorrow issue bug idea".split()
links = ["<https://github.com/acme/app/issues/{}|#{}>", "<https://docs.google.com/document/d/{}|doc {}>",
         "<https://example.org/{}|lunch {}>"]
start = 1_704_067_200  # 2024-01-01
written = 0
day = 0
while written < target:
    date = start + day * 86400
    stamp = __import__("time").strftime("%Y-%m-%d", __import__("time").gmtime(date))
    for folder in folders:
        msgs = []
        t = date + rng.randrange(0, 3600 * 6)
        parent = None
        for _ in range(rng.randrange(5, 40)):
            t += rng.randrange(10, 1200)
            u = users[rng.randrange(300)]["id"]
            text = " ".join(rng.choice(words) for _ in range(rng.randrange(4, 30)))
            r = rng.random()
            if r < 0.05:
                text += " " + rng.choice(links).format(rng.randrange(999), rng.randrange(999))
            elif r < 0.06:
                text = "<!here> " + text
            m = {"client_msg_id": f"{rng.getrandbits(64):016x}", "type": "message", "text": text, "user": u,
                 "ts": f"{t}.{rng.randrange(999999):06d}", "team": "T1", "blocks": [],
                 "user_profile": {"real_name": u, "display_name": u, "is_restricted": False}}
            if parent and rng.random() < 0.4:
                m["thread_ts"] = parent
                m["parent_user_id"] = u
            elif rng.random() < 0.2:
                parent = m["ts"]
                m["thread_ts"] = parent
                m["reply_count"] = 2
            if rng.random() < 0.02:
                m = {"type": "message", "subtype": "bot_message", "bot_id": "B1", "text": "build ok",
                     "ts": f"{t}.000001"}
            msgs.append(m)
        data = json.dumps(msgs, indent=4).encode()
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        with open(os.path.join(root, folder, stamp + ".json"), "wb") as f:
            f.write(data)
        written += len(data)
    day += 1
with zipfile.ZipFile(os.path.join(out, "export.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for dirpath, _, names in os.walk(root):
        for n in sorted(names):
            full = os.path.join(dirpath, n)
            z.write(full, os.path.relpath(full, root))
print(f"{written / 1e6:.0f} MB in {day} days x {len(folders)} conversations", file=sys.stderr)
