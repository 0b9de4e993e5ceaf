-- The aggregated result of a closed round, kept so that views over many
-- rounds (the org report, its CSV) read it instead of scoring every answer
-- again (SQLite). Same shape as migrations/postgres/0007_round_results.sql.
--
-- `result` is asyncmm_core's KeptResult as JSON: the aggregate *before* the
-- anonymity gate (counts, level distributions, scores in ascending order
-- tied to nobody, per-statement answer counts) — the gate is applied each
-- time it is read, with the round's k of that moment. `responses` is the
-- number of responses it was computed from: a row is written only while
-- the round is closed and has exactly that many responses, is deleted when
-- the round is reopened, takes responses or changes k, and is used only
-- while the count still matches. Nothing here is exported: it is rebuilt
-- from the answers when first needed.
CREATE TABLE round_results (
    round_id  INTEGER PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    responses INTEGER NOT NULL CHECK (responses >= 0),
    result    TEXT NOT NULL
) STRICT;
