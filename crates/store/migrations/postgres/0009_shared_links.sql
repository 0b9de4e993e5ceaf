-- A round's shared link (PostgreSQL; same shape as
-- migrations/sqlite/0008_shared_links.sql): the
-- SHA-256 of the link's secret (the secret itself is never stored), at most
-- one per round. Whoever opens the link gets a fresh respondent token of
-- the round (a row in `tokens`, like a personal one); the link works only
-- while its round is open, so closing the round revokes it, and a new
-- secret replaces the old one. Nothing here is exported: a restored round
-- takes a new shared link.
CREATE TABLE round_links (
    round_id BIGINT PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    hash     BYTEA NOT NULL UNIQUE CHECK (octet_length(hash) = 32)
);
