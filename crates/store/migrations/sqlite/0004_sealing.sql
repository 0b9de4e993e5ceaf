-- Rounds take responses from tokens or from imports, never both, and a
-- closed round keeps no link from a token to its response (SQLite). Same
-- shape as migrations/postgres/0004_sealing.sql; the rules are in src/org.rs.

-- 'tokens' or 'import': set when the round first issues tokens or first
-- imports responses.
ALTER TABLE rounds ADD COLUMN intake TEXT CHECK (intake IS NULL OR intake IN ('tokens', 'import'));

-- 1 once the round's tokens were unlinked from their responses and the
-- responses' days set to the closing day (reset when it is reopened).
ALTER TABLE rounds ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1));

-- 1 for a token that answered before its round closed: its link is gone,
-- and it can't answer again if the round is reopened.
ALTER TABLE tokens ADD COLUMN spent INTEGER NOT NULL DEFAULT 0 CHECK (spent IN (0, 1));

-- Rounds opened before this version: tokens if any were issued, otherwise
-- an import if there are responses.
UPDATE rounds SET intake = 'tokens'
WHERE EXISTS (SELECT 1 FROM tokens t WHERE t.round_id = rounds.id);
UPDATE rounds SET intake = 'import'
WHERE intake IS NULL AND EXISTS (SELECT 1 FROM responses s WHERE s.round_id = rounds.id);
