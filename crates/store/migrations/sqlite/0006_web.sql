-- People who sign in to the web pages, their invitations and their
-- sessions (SQLite). Same shape as migrations/postgres/0006_web.sql.
-- Nothing here links to respondents or responses: answering a round needs
-- no account.

-- A person who signs in: admin (everything), lead (the teams they lead),
-- viewer (reads results). Passwords are kept as argon2id hashes only.
CREATE TABLE web_users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'lead', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- A one-time link that lets its holder create an account with a role; the
-- first one (the set-up link) is made when no account exists. Only the
-- hash of the link's secret is kept.
CREATE TABLE web_invites (
    hash       BLOB PRIMARY KEY CHECK (length(hash) = 32),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'lead', 'viewer')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT, WITHOUT ROWID;

-- A signed-in browser, kept server-side so several instances share it.
-- Only the hash of the cookie's secret is kept; `csrf` is the token every
-- form of the session must carry.
CREATE TABLE web_sessions (
    hash       BLOB PRIMARY KEY CHECK (length(hash) = 32),
    user_id    INTEGER NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Which teams a lead leads (admins and viewers need no rows here).
CREATE TABLE web_team_leads (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    user_id INTEGER NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX web_team_leads_user ON web_team_leads (user_id);
