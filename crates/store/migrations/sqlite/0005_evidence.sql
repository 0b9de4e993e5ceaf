-- Saved evidence (SQLite): scans of a team's artefacts, the team's waivers
-- of evidence rules, and the organisation's pseudonym salt. Same shape as
-- migrations/postgres/0005_evidence.sql.
--
-- Teams are kept as text, like assessments.team and goals.team.

-- The salt of every pseudonymous id in saved evidence: drawn once, kept
-- here, so one person has the same id in every scan of the organisation.
-- A secret: nothing prints it.
CREATE TABLE evidence_salt (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    salt BLOB NOT NULL CHECK (length(salt) >= 16)
) STRICT;

-- One saved scan of one source for one team. `document` is the scan as JSON
-- (counts and pseudonymous ids, never names or message text); the store
-- doesn't read it. scanned_at is RFC 3339 in UTC with six fractional digits,
-- so text order is time order.
CREATE TABLE evidence (
    id         INTEGER PRIMARY KEY,
    team       TEXT NOT NULL,
    scanned_on TEXT NOT NULL CHECK (date(scanned_on) IS scanned_on),
    scanned_at TEXT NOT NULL,
    source     TEXT NOT NULL CHECK (source <> ''),
    subject    TEXT NOT NULL,
    document   TEXT NOT NULL
) STRICT;

CREATE INDEX evidence_team ON evidence (team, scanned_at, id);

-- A team disputes an evidence rule until a day (inclusive), with a reason.
CREATE TABLE evidence_waivers (
    team      TEXT NOT NULL,
    rule      TEXT NOT NULL CHECK (rule <> ''),
    reason    TEXT NOT NULL CHECK (reason <> ''),
    until_day TEXT NOT NULL CHECK (date(until_day) IS until_day),
    set_on    TEXT NOT NULL CHECK (date(set_on) IS set_on),
    PRIMARY KEY (team, rule)
) STRICT;
