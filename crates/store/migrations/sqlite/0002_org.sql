-- Organisations, rounds, respondent tokens and anonymous responses (SQLite).
-- Same shape as migrations/postgres/0002_org.sql. Which links exist between
-- these tables, and what someone with the raw database could infer from
-- them, is documented in src/org.rs.
--
-- Days are 'YYYY-MM-DD' text, never a time: `date(x) IS x` holds only for
-- exactly that form, so the CHECKs keep a time of day out.

-- A team, or a group of teams (a team that others name as `parent_id`), so
-- results roll up. Names are unique among all teams, archived ones included,
-- so a name in the history always means one team. Self-assessments
-- (`assessments.team`) keep the team as text and need no row here.
CREATE TABLE teams (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES teams (id),
    archived  INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    CHECK (parent_id IS NULL OR parent_id <> id)
) STRICT;

CREATE INDEX teams_parent ON teams (parent_id);

-- A round of a team: one model version, one mode, the anonymity threshold k.
-- It is open from opens_on until closed by hand (closed_on) or until
-- closes_on has passed.
CREATE TABLE rounds (
    id            INTEGER PRIMARY KEY,
    team_id       INTEGER NOT NULL REFERENCES teams (id),
    model_id      TEXT NOT NULL,
    model_version TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('quick', 'detailed')),
    k             INTEGER NOT NULL CHECK (k >= 3),
    opens_on      TEXT NOT NULL CHECK (date(opens_on) IS opens_on),
    closes_on     TEXT CHECK (closes_on IS NULL OR date(closes_on) IS closes_on),
    closed_on     TEXT CHECK (closed_on IS NULL OR date(closed_on) IS closed_on),
    published     INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    FOREIGN KEY (model_id, model_version) REFERENCES models (model_id, version),
    CHECK (closes_on IS NULL OR closes_on >= opens_on)
) STRICT;

-- A team's rounds oldest first, and its newest round, come from this index.
CREATE INDEX rounds_team_opens_on ON rounds (team_id, opens_on, id);

-- One anonymous response: its round and the day it was last submitted.
-- No token, no person, no time of day. The id is random (drawn by asyncmm),
-- so it doesn't tell who answered first. UNIQUE (round_id, id) is what
-- response_answers refers to, and counts a round's responses.
CREATE TABLE responses (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES rounds (id),
    submitted_on TEXT NOT NULL CHECK (date(submitted_on) IS submitted_on),
    UNIQUE (round_id, id)
) STRICT;

-- The answers of a response, as in `answers` (item = area or statement id,
-- value = level or agreement, NULL = don't know). round_id is repeated here
-- so that a round's answers are one contiguous range of this clustered key:
-- reading the rounds of an org report is a range scan per round, with no
-- join and no sort, and an import writes into one region of the tree.
CREATE TABLE response_answers (
    round_id    INTEGER NOT NULL,
    response_id INTEGER NOT NULL,
    item        TEXT NOT NULL,
    value       INTEGER CHECK (value IS NULL OR value BETWEEN 0 AND 3),
    PRIMARY KEY (round_id, response_id, item),
    FOREIGN KEY (round_id, response_id) REFERENCES responses (round_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- The SHA-256 of every respondent token (the token itself is never stored),
-- its round, and the response it last submitted (NULL while unused). This
-- column is the only link between a token and a response; it is what lets a
-- respondent revise their answers.
CREATE TABLE tokens (
    hash        BLOB PRIMARY KEY CHECK (length(hash) = 32),
    round_id    INTEGER NOT NULL REFERENCES rounds (id),
    response_id INTEGER UNIQUE REFERENCES responses (id) ON DELETE SET NULL
) STRICT, WITHOUT ROWID;
