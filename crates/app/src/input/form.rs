//! Answers as a web form sends them, one page at a time: field
//! `area.<area id>` holds a level 0–3 (quick mode), field
//! `statement.<statement id>` an agreement 0–3 or "don't know" (detailed
//! mode). Other fields (the form token, buttons) are ignored; an id that is
//! not in the model, a value out of range and a field given twice are
//! refused, as in answers files.

use std::collections::{BTreeMap, BTreeSet};

use asyncmm_core::{Agreement, Answer, Answers, DetailedAnswers, Mode, QuickAnswers};
use asyncmm_model::{AreaId, Level, Model, StatementId};

use super::is_dont_know;
use crate::AppError;

/// The prefix of a quick-mode field.
pub const AREA_FIELD: &str = "area.";
/// The prefix of a detailed-mode field.
pub const STATEMENT_FIELD: &str = "statement.";

/// The answers one page of the questionnaire sent. Fields left empty are
/// not answered (not "don't know").
pub fn parse_page(model: &Model, mode: Mode, fields: &[(String, String)]) -> Result<Answers, AppError> {
    let mut seen = BTreeSet::new();
    let mut quick = BTreeMap::new();
    let mut detailed = BTreeMap::new();
    for (key, value) in fields {
        let value = value.trim();
        let item = match mode {
            Mode::Quick => key.strip_prefix(AREA_FIELD),
            Mode::Detailed => key.strip_prefix(STATEMENT_FIELD),
        };
        let Some(item) = item else { continue };
        if !seen.insert(item.to_string()) {
            return Err(AppError::invalid("answers", format!("{item} was answered twice")));
        }
        if value.is_empty() {
            continue;
        }
        match mode {
            Mode::Quick => {
                let area = AreaId::parse(item)
                    .ok()
                    .filter(|a| model.area(a).is_some())
                    .ok_or_else(|| {
                        AppError::invalid("answers", format!("{item} is not an area of this questionnaire"))
                    })?;
                let level = value
                    .parse::<u8>()
                    .ok()
                    .and_then(|v| Level::new(v).ok())
                    .ok_or_else(|| AppError::invalid("answers", format!("{item}: a level is 0, 1, 2 or 3")))?;
                quick.insert(area, level);
            }
            Mode::Detailed => {
                let statement = StatementId::parse(item)
                    .ok()
                    .filter(|s| model.statement(s).is_some())
                    .ok_or_else(|| {
                        AppError::invalid("answers", format!("{item} is not a statement of this questionnaire"))
                    })?;
                let answer = if is_dont_know(value) {
                    Answer::DontKnow
                } else {
                    value
                        .parse::<u8>()
                        .ok()
                        .and_then(|v| Agreement::new(v).ok())
                        .map(Answer::Agree)
                        .ok_or_else(|| {
                            AppError::invalid("answers", format!("{item}: an answer is 0, 1, 2, 3 or don't know"))
                        })?
                };
                detailed.insert(statement, answer);
            }
        }
    }
    Ok(match mode {
        Mode::Quick => Answers::Quick(QuickAnswers::from_map(quick)),
        Mode::Detailed => Answers::Detailed(DetailedAnswers::from_map(detailed)),
    })
}

/// `earlier` with the answers of `page` laid over it (a page's answer
/// replaces the earlier one of the same item).
pub fn merge(earlier: Option<Answers>, page: Answers) -> Answers {
    match (earlier, page) {
        (Some(Answers::Quick(old)), Answers::Quick(new)) => {
            let mut map: BTreeMap<AreaId, Level> = old.iter().map(|(a, l)| (a.clone(), l)).collect();
            map.extend(new.iter().map(|(a, l)| (a.clone(), l)));
            Answers::Quick(QuickAnswers::from_map(map))
        }
        (Some(Answers::Detailed(old)), Answers::Detailed(new)) => {
            let mut map: BTreeMap<StatementId, Answer> = old.iter().map(|(s, a)| (s.clone(), a)).collect();
            map.extend(new.iter().map(|(s, a)| (s.clone(), a)));
            Answers::Detailed(DetailedAnswers::from_map(map))
        }
        (_, page) => page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        crate::LoadedModel::embedded().expect("embedded model").model
    }

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_quick_page_gives_levels_and_ignores_other_fields() {
        let m = model();
        let area = m.areas[0].id.to_string();
        let page = parse_page(
            &m,
            Mode::Quick,
            &fields(&[("csrf", "x"), (&format!("area.{area}"), "2")]),
        )
        .expect("parsed");
        let Answers::Quick(q) = page else { panic!("quick") };
        assert_eq!(q.get(&m.areas[0].id).map(Level::number), Some(2));
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn a_detailed_page_takes_dont_know_and_refuses_unknown_ids_and_repeats() {
        let m = model();
        let s = m.areas[0].statements[0].id.to_string();
        let page =
            parse_page(&m, Mode::Detailed, &fields(&[(&format!("statement.{s}"), "dont_know")])).expect("parsed");
        let Answers::Detailed(d) = page else { panic!("detailed") };
        assert_eq!(d.get(&m.areas[0].statements[0].id), Some(Answer::DontKnow));
        assert!(parse_page(&m, Mode::Detailed, &fields(&[("statement.nope.1.1", "2")])).is_err());
        assert!(parse_page(&m, Mode::Detailed, &fields(&[(&format!("statement.{s}"), "4")])).is_err());
        let twice = fields(&[(&format!("statement.{s}"), "1"), (&format!("statement.{s}"), "2")]);
        assert!(parse_page(&m, Mode::Detailed, &twice).is_err());
    }

    #[test]
    fn a_later_page_replaces_only_its_own_items() {
        let m = model();
        let a0 = m.areas[0].id.to_string();
        let a1 = m.areas[1].id.to_string();
        let first = parse_page(&m, Mode::Quick, &fields(&[(&format!("area.{a0}"), "1")])).expect("first");
        let second = parse_page(&m, Mode::Quick, &fields(&[(&format!("area.{a1}"), "3")])).expect("second");
        let Answers::Quick(q) = merge(Some(first), second) else {
            panic!("quick")
        };
        assert_eq!(q.len(), 2);
    }
}
