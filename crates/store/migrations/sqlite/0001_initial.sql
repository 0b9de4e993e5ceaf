-- The initial asyncmm schema (SQLite). Same shape as migrations/postgres;
-- the conformance suite checks that both behave alike.
--
-- STRICT tables make SQLite reject values of the wrong type instead of
-- storing them, like PostgreSQL does.

-- The exact text of every model an assessment was taken with, so a result
-- can always be recomputed with the model it was answered against.
CREATE TABLE models (
    model_id      TEXT NOT NULL,
    version       TEXT NOT NULL,
    source        TEXT NOT NULL,
    registered_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (model_id, version)
) STRICT;

-- taken_at is RFC 3339 in UTC with exactly six fractional digits, so text
-- order is time order.
CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY,
    team          TEXT NOT NULL,
    model_id      TEXT NOT NULL,
    model_version TEXT NOT NULL,
    mode          TEXT NOT NULL CHECK (mode IN ('quick', 'detailed')),
    taken_at      TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    FOREIGN KEY (model_id, model_version) REFERENCES models (model_id, version)
) STRICT;

CREATE INDEX assessments_team_taken_at ON assessments (team, taken_at);

-- One row per answered area (quick mode: item = area id, value = level) or
-- statement (detailed mode: item = statement id, value = agreement, NULL =
-- don't know). WITHOUT ROWID keeps the rows clustered by assessment, which
-- is how they are written and read.
CREATE TABLE answers (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    item          TEXT NOT NULL,
    value         INTEGER CHECK (value IS NULL OR value BETWEEN 0 AND 3),
    PRIMARY KEY (assessment_id, item)
) STRICT, WITHOUT ROWID;
