//! The translation between domain assessments and table rows, shared by both
//! backends.
//!
//! Both backends store the same rows (an `assessments` row plus one `answers`
//! row per area or statement), so how answers become `(item, value)` pairs,
//! how they are parsed back, how timestamps are normalised and what counts
//! as corrupt is decided once, here. A backend only moves rows.

use std::collections::HashMap;

use asyncmm_core::{Answers, AssessmentId, Mode, ModelRef, NewAssessment, StoredAssessment, TeamName};
use time::format_description::FormatItem;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::{StoreError, TeamSummary};

/// How SQLite keeps `taken_at`: RFC 3339 in UTC with exactly six fractional
/// digits. The fixed width makes text order equal time order, which the
/// history queries and `MAX(taken_at)` rely on.
pub(crate) const SQLITE_TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// One assessment ready to be inserted: checked, normalised, flattened.
pub(crate) struct Row<'a> {
    pub team: &'a str,
    pub model: &'a ModelRef,
    pub mode: &'static str,
    /// UTC, truncated to microseconds (PostgreSQL's precision), so both
    /// backends give back exactly the same instant.
    pub taken_at: OffsetDateTime,
    /// `(item, value)`: area id and level in quick mode, statement id and
    /// agreement (`None` = don't know) in detailed mode.
    pub answers: Vec<(String, Option<i16>)>,
}

impl<'a> Row<'a> {
    pub(crate) fn from_assessment(assessment: &'a NewAssessment) -> Result<Row<'a>, StoreError> {
        let answers = answer_rows(&assessment.answers);
        Ok(Row {
            team: assessment.team.as_str(),
            model: &assessment.model,
            mode: assessment.answers.mode().as_str(),
            taken_at: normalise_timestamp(assessment.taken_at, assessment.team.as_str())?,
            answers,
        })
    }
}

/// The `(item, value)` rows of answers: area id and level in quick mode,
/// statement id and agreement (`None` = don't know) in detailed mode. Both
/// self-assessments and round responses are stored this way.
pub(crate) fn answer_rows(answers: &Answers) -> Vec<(String, Option<i16>)> {
    match answers {
        Answers::Quick(quick) => quick
            .iter()
            .map(|(area, level)| (area.to_string(), Some(i16::from(level.number()))))
            .collect(),
        Answers::Detailed(detailed) => detailed
            .iter()
            .map(|(statement, answer)| (statement.to_string(), answer.agreement().map(|a| i16::from(a.value()))))
            .collect(),
    }
}

/// Answers rebuilt from their `(item, value)` rows; `corrupt` phrases what is
/// wrong with a row for the caller's context (which assessment or round).
pub(crate) fn parse_answers<S: AsRef<str>>(
    mode: Mode,
    rows: impl IntoIterator<Item = (S, Option<i16>)>,
    corrupt: impl Fn(String) -> StoreError,
) -> Result<Answers, StoreError> {
    Answers::from_rows(mode, rows).map_err(|e| corrupt(e.to_string()))
}

/// UTC with microsecond precision, within the years 0–9999 that the SQLite
/// text form can order correctly. Checked here so both backends reject the
/// same values.
fn normalise_timestamp(t: OffsetDateTime, team: &str) -> Result<OffsetDateTime, StoreError> {
    let utc = t.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err(StoreError::Invalid(format!(
            "the assessment of team {team} was taken at {t}, outside the years 0-9999 that can be stored"
        )));
    }
    // Replacing with a smaller nanosecond value can't fail; keep `utc` if it
    // somehow did rather than panic.
    Ok(utc.replace_nanosecond(utc.nanosecond() / 1_000 * 1_000).unwrap_or(utc))
}

/// A time as every backend stores it: UTC, whole microseconds, within the
/// years 0-9999 (any other time is `Invalid`).
pub(crate) fn storable(t: OffsetDateTime) -> Result<OffsetDateTime, StoreError> {
    let utc = t.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err(StoreError::Invalid(format!(
            "the time {t} is outside the years 0-9999 that can be stored"
        )));
    }
    Ok(utc.replace_nanosecond(utc.nanosecond() / 1_000 * 1_000).unwrap_or(utc))
}

/// Reads back a `taken_at` written by [`Row::taken_at_text`]. Plain RFC 3339 is
/// accepted too, for rows written by hand.
/// The error is the part of a `Corrupt` message after the assessment or team.
pub(crate) fn parse_sqlite_timestamp(text: &str) -> Result<OffsetDateTime, String> {
    time::PrimitiveDateTime::parse(text, SQLITE_TIMESTAMP)
        .map(time::PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &Rfc3339))
        .map(|t| t.to_offset(UtcOffset::UTC))
        .map_err(|e| format!("taken_at {text:?} is not a timestamp ({e})"))
}

/// Walks the answer rows of a batch in bounded chunks, each answer tagged
/// with its assessment's id.
///
/// A plain cursor rather than an iterator chain: closures borrowing the batch
/// and held across `.await` make the futures of `async_trait` methods fail
/// the `Send` check.
pub(crate) struct AnswerChunks<'r, 'a> {
    rows: &'r [Row<'a>],
    ids: &'r [i64],
    row: usize,
    answer: usize,
}

impl<'r, 'a> AnswerChunks<'r, 'a> {
    pub(crate) fn new(rows: &'r [Row<'a>], ids: &'r [i64]) -> Self {
        AnswerChunks {
            rows,
            ids,
            row: 0,
            answer: 0,
        }
    }

    /// Up to `max` more answers; empty when all were returned.
    pub(crate) fn next_chunk(&mut self, max: usize) -> Vec<(i64, &'r str, Option<i16>)> {
        let mut chunk = Vec::with_capacity(max);
        while chunk.len() < max && self.row < self.rows.len() {
            let row = &self.rows[self.row];
            match row.answers.get(self.answer) {
                Some((item, value)) => {
                    chunk.push((self.ids[self.row], item.as_str(), *value));
                    self.answer += 1;
                }
                None => {
                    self.row += 1;
                    self.answer = 0;
                }
            }
        }
        chunk
    }
}

/// The distinct models of a batch, each with the first assessment using it
/// (for the message if it turns out not to be registered).
pub(crate) fn distinct_models<'a>(rows: &[Row<'a>]) -> Vec<(&'a ModelRef, usize)> {
    let mut seen: Vec<(&ModelRef, usize)> = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        if !seen.iter().any(|(m, _)| *m == row.model) {
            seen.push((row.model, index));
        }
    }
    seen
}

/// The error for an assessment whose model is not registered.
pub(crate) fn unregistered(rows: &[Row<'_>], index: usize) -> StoreError {
    let row = &rows[index];
    let which = if rows.len() == 1 {
        format!("the assessment of team {}", row.team)
    } else {
        format!(
            "assessment {} of {} in the batch (team {}), so none of the batch was stored,",
            index + 1,
            rows.len(),
            row.team
        )
    };
    StoreError::Conflict(format!(
        "cannot store {which}: it was taken with model {}, which is not registered in this database; register the model first",
        row.model
    ))
}

/// The `assessments` columns read back, whatever the backend's types.
pub(crate) struct Header {
    pub id: i64,
    pub team: String,
    pub model_id: String,
    pub model_version: String,
    pub mode: String,
    pub taken_at: OffsetDateTime,
}

/// Rebuilds one assessment from its row and its answer rows.
pub(crate) fn assemble(
    header: Header,
    answers: impl IntoIterator<Item = (String, Option<i16>)>,
) -> Result<StoredAssessment, StoreError> {
    let id = header.id;
    let corrupt = |what: String| StoreError::Corrupt(format!("assessment {id}: {what}"));
    let team = TeamName::stored(&header.team).map_err(|e| corrupt(format!("team {:?}: {e}", header.team)))?;
    let mode = Mode::parse(&header.mode)
        .ok_or_else(|| corrupt(format!("mode {:?} is neither \"quick\" nor \"detailed\"", header.mode)))?;
    let answers = parse_answers(mode, answers, corrupt)?;
    Ok(StoredAssessment {
        id: AssessmentId(id),
        team,
        model: ModelRef {
            id: header.model_id,
            version: header.model_version,
        },
        taken_at: header.taken_at,
        answers,
    })
}

/// Rebuilds many assessments (in the order of `headers`) from the answer
/// rows of all of them, fetched in one query. Answer rows of assessments not
/// in `headers` (stored after the headers were read) are ignored.
pub(crate) fn assemble_all(
    headers: Vec<Header>,
    answer_rows: impl IntoIterator<Item = (i64, String, Option<i16>)>,
) -> Result<Vec<StoredAssessment>, StoreError> {
    let mut by_id: HashMap<i64, Vec<(String, Option<i16>)>> = headers.iter().map(|h| (h.id, Vec::new())).collect();
    for (id, item, value) in answer_rows {
        if let Some(list) = by_id.get_mut(&id) {
            list.push((item, value));
        }
    }
    headers
        .into_iter()
        .map(|header| {
            let answers = by_id.remove(&header.id).unwrap_or_default();
            assemble(header, answers)
        })
        .collect()
}

/// One row of the per-team summary query.
pub(crate) fn team_summary(team: String, count: i64, last: OffsetDateTime) -> Result<TeamSummary, StoreError> {
    let name = TeamName::stored(&team)
        .map_err(|e| StoreError::Corrupt(format!("team name {team:?} in the assessments table: {e}")))?;
    Ok(TeamSummary {
        name,
        assessments: u64::try_from(count).unwrap_or(0),
        last_taken_at: last,
    })
}

/// The error for a model stored with other text.
pub(crate) fn model_conflict(model: &ModelRef) -> StoreError {
    StoreError::Conflict(format!(
        "model {model} is already stored with different content; give the changed model a new version"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sqlite_timestamps_sort_as_text_and_round_trip() {
        let times = [
            datetime!(2024-01-01 00:00:00 UTC),
            datetime!(2024-01-01 00:00:00.5 UTC),
            datetime!(2024-01-01 00:00:01 UTC),
            datetime!(2024-01-01 10:00:00 +09:00),
        ];
        let team = TeamName::parse("t").expect("team");
        let model = ModelRef {
            id: "m".into(),
            version: "1".into(),
        };
        let mut texts = Vec::new();
        for t in times {
            let a = NewAssessment {
                team: team.clone(),
                model: model.clone(),
                taken_at: t,
                answers: Answers::Quick(asyncmm_core::QuickAnswers::default()),
            };
            let row = Row::from_assessment(&a).expect("row");
            let text = row
                .taken_at
                .to_offset(time::UtcOffset::UTC)
                .format(SQLITE_TIMESTAMP)
                .expect("text");
            assert_eq!(parse_sqlite_timestamp(&text).expect("parse"), t);
            texts.push(text);
        }
        // Stored in UTC: 10:00 at +09:00 is 01:00 UTC.
        assert_eq!(texts[3], "2024-01-01T01:00:00.000000Z");
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(sorted, texts);
    }

    #[test]
    fn sub_microsecond_digits_are_dropped() {
        let t = datetime!(2024-05-06 07:08:09.123456789 UTC);
        assert_eq!(
            normalise_timestamp(t, "t").expect("ok"),
            datetime!(2024-05-06 07:08:09.123456 UTC)
        );
        assert!(normalise_timestamp(datetime!(-0001-01-01 00:00 UTC), "t").is_err());
    }
}
