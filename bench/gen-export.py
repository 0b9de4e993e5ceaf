#!/usr/bin/env python3
"""Writes an asyncmm export document of a large organisation, for the import,
export and org-report benchmarks (docs/performance.md).

Default: 1,000 teams in groups of 20, 8 closed quarterly rounds per team,
10 detailed respondents per round answering the default model's 60
statements (one answer in ten "don't know") -- 4.8M answers, about 124 MB.
The data is random but the same for the same --seed.

    python3 bench/gen-export.py --out org.json
    python3 bench/gen-export.py --teams 100 --csv answers.csv --out small.json

--csv also writes the (round, response, statement, value) rows of every
response as CSV, the input for the `sqlite3 .import` baseline.
"""

import argparse
import datetime
import json
import pathlib
import random
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=8, help="rounds per team")
    parser.add_argument("--respondents", type=int, default=10, help="responses per round")
    parser.add_argument("--group-size", type=int, default=20, help="teams per group")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", default=str(ROOT / "models" / "async-communications.toml"))
    parser.add_argument("--out", required=True, help="the export document to write ('-' = stdout)")
    parser.add_argument("--csv", help="also write every response answer as CSV rows")
    args = parser.parse_args()

    source = pathlib.Path(args.model).read_text(encoding="utf-8")
    model = tomllib.loads(source)
    model_id = model["model"]["id"]
    version = model["model"]["version"]
    statements = [s["id"] for area in model["areas"] for s in area["statements"]]

    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    csv = open(args.csv, "w", encoding="utf-8") if args.csv else None

    groups = (args.teams + args.group_size - 1) // args.group_size
    teams = []
    for g in range(groups):
        teams.append({"id": g + 1, "name": f"Group {g + 1:04}", "parent": None, "archived": False})
    for t in range(args.teams):
        teams.append(
            {"id": groups + t + 1, "name": f"Team {t + 1:05}", "parent": t // args.group_size + 1, "archived": False}
        )

    w = out.write
    w('{\n  "format": "asyncmm.export",\n  "version": 2,\n')
    w('  "exported_at": "2026-11-30T09:00:00.000000Z",\n')
    w('  "models": ' + json.dumps([{"id": model_id, "version": version, "source": source}]) + ",\n")
    w('  "teams": ' + json.dumps(teams) + ",\n")
    w('  "assessments": [],\n  "rounds": [\n')

    start = datetime.date(2025, 1, 6)
    round_id = 0
    response_ids = set()
    first = True
    for t in range(args.teams):
        team_id = groups + t + 1
        # Each team has a level of its own and improves a little each quarter.
        base = rng.uniform(0.5, 2.0)
        for r in range(args.rounds):
            round_id += 1
            opens = start + datetime.timedelta(weeks=13 * r)
            closes = opens + datetime.timedelta(days=14)
            mean = min(3.0, base + 0.12 * r)
            responses = []
            for _ in range(args.respondents):
                while True:
                    rid = rng.getrandbits(63)
                    if rid > 0 and rid not in response_ids:
                        response_ids.add(rid)
                        break
                answers = {}
                for s in statements:
                    if rng.random() < 0.1:
                        answers[s] = None
                    else:
                        answers[s] = max(0, min(3, round(rng.gauss(mean, 0.8))))
                responses.append({"id": rid, "submitted_on": closes.isoformat(), "answers": answers})
                if csv:
                    for s, v in answers.items():
                        csv.write(f"{round_id},{rid},{s},{'' if v is None else v}\n")
            responses.sort(key=lambda x: x["id"])
            tokens = [
                {"hash": rng.getrandbits(256).to_bytes(32, "big").hex(), "response": None, "spent": i < args.respondents}
                for i in range(args.respondents + 2)
            ]
            tokens.sort(key=lambda x: x["hash"])
            document = {
                "id": round_id,
                "team": team_id,
                "model_id": model_id,
                "model_version": version,
                "mode": "detailed",
                "k": 5,
                "opens_on": opens.isoformat(),
                "closes_on": closes.isoformat(),
                "closed_on": None,
                "published": True,
                "intake": "tokens",
                "sealed": True,
                "responses": responses,
                "tokens": tokens,
            }
            w(("    " if first else ",\n    ") + json.dumps(document, separators=(",", ":")))
            first = False
    w('\n  ],\n  "goals": [],\n  "actions": []\n}\n')
    if out is not sys.stdout:
        out.close()
    if csv:
        csv.close()


if __name__ == "__main__":
    main()
