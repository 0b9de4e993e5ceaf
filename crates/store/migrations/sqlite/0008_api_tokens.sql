-- Personal API tokens (SQLite). Same shape as
-- migrations/postgres/0008_api_tokens.sql.
--
-- A token lets a program act as the person who made it, through the JSON
-- API, with that person's role. Only the SHA-256 of the token's secret is
-- kept, with its first characters (`prefix`) so the person can tell their
-- tokens apart; a copy of the database authenticates nobody. A revoked
-- token stays listed (with `revoked_at`) and is refused.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

CREATE INDEX api_tokens_user ON api_tokens (user_id);
