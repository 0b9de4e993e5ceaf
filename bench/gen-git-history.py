#!/usr/bin/env python3
"""Writes a `git fast-import` stream of a synthetic repository to stdout.

usage: gen-git-history.py COMMITS [FILES]

Deterministic (fixed seed): ~FILES paths in 60 folders (code, docs, decision
records), 40 authors plus a bot, one commit an hour, 1-3 files changed per
commit, a merge every 50 commits, and messages of which about a third
reference an issue or ticket. Used by bench/scan-git.sh.
"""
import random
import sys

commits = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
files = int(sys.argv[2]) if len(sys.argv) > 2 else 5_000
rng = random.Random(42)
out = sys.stdout.buffer

paths = []
for i in range(files):
    kind = rng.random()
    folder = f"mod{i % 60}"
    if kind < 0.10:
        paths.append(f"docs/{folder}/page{i}.md")
    elif kind < 0.12:
        paths.append(f"docs/adr/{i:04d}-decision.md")
    else:
        paths.append(f"src/{folder}/file{i}.rs")
paths += ["README.md", "CONTRIBUTING.md", ".github/pull_request_template.md", "CODEOWNERS"]
authors = [(f"Dev {i}", f"dev{i}@example.org") for i in range(40)] + [("renovate[bot]", "bot@renovate.invalid")]
subjects = ["Fix the parser", "Refactor storage", "Add tests", "Tidy docs", "Speed up the cache"]
refs = ["", "", "Closes #{n}", "ABC-{n} ", "See https://tracker.example/issues/{n}", "(#{n})"]

def blob(text):
    data = text.encode()
    out.write(b"data %d\n" % len(data) + data + b"\n")

start = 1_500_000_000
mark = 0
main_tip = None
side_tip = None
for c in range(commits):
    mark += 1
    t = start + c * 3600
    name, email = rng.choice(authors)
    on_side = c % 50 in (20, 21, 22)
    merge_now = c % 50 == 23 and side_tip is not None
    branch = "side" if on_side else "main"
    out.write(f"commit refs/heads/{branch}\nmark :{mark}\n".encode())
    out.write(f"author {name} <{email}> {t} +0000\ncommitter {name} <{email}> {t} +0000\n".encode())
    ref = rng.choice(refs).format(n=rng.randint(1, 5000))
    message = f"Merge branch 'side'" if merge_now else f"{rng.choice(subjects)} {ref}".strip()
    blob(message)
    if c == 0:
        pass
    elif on_side:
        parent = side_tip if (c % 50) != 20 else main_tip
        out.write(f"from :{parent}\n".encode())
    else:
        out.write(f"from :{main_tip}\n".encode())
        if merge_now:
            out.write(f"merge :{side_tip}\n".encode())
    if c == 0:
        for p in paths:
            out.write(f"M 100644 inline {p}\n".encode())
            blob(f"{p} v0\n")
    else:
        for p in rng.sample(paths, rng.randint(1, 3)):
            out.write(f"M 100644 inline {p}\n".encode())
            blob(f"{p} v{c}\n")
    out.write(b"\n")
    if on_side:
        side_tip = mark
    else:
        main_tip = mark
        if merge_now:
            side_tip = None
