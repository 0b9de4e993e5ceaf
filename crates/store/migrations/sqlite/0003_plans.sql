-- Improvement plans (SQLite): goals and actions per team. Same shape as
-- migrations/postgres/0003_plans.sql.
--
-- The team is kept as text, like assessments.team: a team that only
-- self-assesses has no row in `teams` and still plans its improvements.

-- One goal per team and area: reach `target` by `by_date`. `baseline` is the
-- area's level when the goal was set (NULL when there was no result yet).
CREATE TABLE goals (
    team     TEXT NOT NULL,
    area     TEXT NOT NULL,
    target   INTEGER NOT NULL CHECK (target BETWEEN 0 AND 3),
    by_date  TEXT NOT NULL CHECK (date(by_date) IS by_date),
    baseline INTEGER CHECK (baseline IS NULL OR baseline BETWEEN 0 AND 3),
    set_on   TEXT NOT NULL CHECK (date(set_on) IS set_on),
    PRIMARY KEY (team, area)
) STRICT;

CREATE TABLE actions (
    id         INTEGER PRIMARY KEY,
    team       TEXT NOT NULL,
    title      TEXT NOT NULL CHECK (title <> ''),
    owner      TEXT,
    link       TEXT,
    status     TEXT NOT NULL CHECK (status IN ('todo', 'doing', 'done', 'dropped')),
    created_on TEXT NOT NULL CHECK (date(created_on) IS created_on)
) STRICT;

CREATE INDEX actions_team ON actions (team, id);

-- The statements an action addresses, in the order given (`position`).
CREATE TABLE action_statements (
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    statement TEXT NOT NULL,
    PRIMARY KEY (action_id, position),
    UNIQUE (action_id, statement)
) STRICT;
