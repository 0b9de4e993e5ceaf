#!/usr/bin/env python3
"""Writes a synthetic GitHub export (issues.json, pulls.json,
issue-comments.json, reviews.json) in the REST API's shape, as
`gh api --paginate` writes it: pages of 100 one after the other.

usage: gen-github-export.py DIR [ITEMS]   (ITEMS issues + pull requests, default 50,000)
"""
import json
import os
import random
import sys

out_dir = sys.argv[1]
items = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
rng = random.Random(7)
os.makedirs(out_dir, exist_ok=True)
API = "https://api.github.com/repos/acme/big"
people = [f"dev{i}" for i in range(60)] + ["renovate[bot]"]
start = 1_704_067_200  # 2024-01-01


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def user(login):
    return {"login": login, "id": abs(hash(login)) % 10**8, "type": "Bot" if "[bot]" in login else "User",
            "site_admin": False, "html_url": f"https://github.com/{login}", "avatar_url": "https://avatars.example/u"}


def write_pages(name, objects):
    with open(os.path.join(out_dir, name), "w") as f:
        for i in range(0, len(objects), 100):
            f.write(json.dumps(objects[i:i + 100]))
            f.write("\n")


issues, pulls, comments, reviews = [], [], [], []
for n in range(1, items + 1):
    t = start + n * 600
    author = rng.choice(people)
    is_pull = n % 2 == 0
    body = rng.choice(["", "Closes #%d\n\nThe parser now copes with empty input." % rng.randint(1, n),
                       "<!-- template -->\n## What\n- [ ] tests", "ABC-%d fix the retry loop in the scheduler." % n])
    labels = [{"id": 1, "name": "decision", "color": "fff"}] if n % 97 == 0 else []
    issue = {"url": f"{API}/issues/{n}", "html_url": f"https://github.com/acme/big/issues/{n}", "id": n,
             "number": n, "title": f"Item {n}", "user": user(author), "labels": labels, "state": "closed",
             "locked": False, "comments": 2, "created_at": iso(t), "updated_at": iso(t + 7200),
             "closed_at": iso(t + 86400), "author_association": "MEMBER", "body": body}
    if is_pull:
        issue["pull_request"] = {"url": f"{API}/pulls/{n}", "merged_at": iso(t + 86400)}
        pulls.append({"url": f"{API}/pulls/{n}", "id": n, "number": n, "state": "closed", "title": f"Change {n}",
                      "user": user(author), "body": body, "labels": labels, "created_at": iso(t),
                      "updated_at": iso(t + 86400), "closed_at": iso(t + 86400),
                      "merged_at": iso(t + 86400) if n % 3 else None, "draft": False,
                      "head": {"ref": "topic", "sha": "abc"}, "base": {"ref": "main", "sha": "def"}})
        for k in range(2):
            reviews.append({"id": n * 10 + k, "user": user(rng.choice(people)), "body": "", "state": "APPROVED",
                            "html_url": f"https://github.com/acme/big/pull/{n}", "pull_request_url": f"{API}/pulls/{n}",
                            "submitted_at": iso(t + 3600 * (k + 1)), "commit_id": "abc"})
    issues.append(issue)
    for k in range(2):
        comments.append({"url": f"{API}/issues/comments/{n * 10 + k}", "issue_url": f"{API}/issues/{n}",
                         "id": n * 10 + k, "user": user(rng.choice(people)), "created_at": iso(t + 1800 * (k + 1)),
                         "updated_at": iso(t + 1800 * (k + 1)), "author_association": "MEMBER",
                         "body": "Looks good, see #%d" % rng.randint(1, n)})

write_pages("issues.json", issues)
write_pages("pulls.json", pulls)
write_pages("issue-comments.json", comments)
write_pages("reviews.json", reviews)
