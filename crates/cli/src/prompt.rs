//! The interactive questionnaire: asks for the team name and the answers in
//! the terminal, in quick mode (one level per area) or detailed mode (an
//! agreement per statement).
//!
//! This module owns only the conversation. It returns answers checked against
//! the model and stores or prints nothing else: the caller saves an assessment
//! only once every question was answered, so a questionnaire cancelled half
//! way (Esc, Ctrl-C, end of input) leaves nothing behind. Everything shown is
//! built by pure functions (labels, headings, wrapping) so it can be tested
//! without a terminal; the thin `ask_*` functions only hand those to
//! `inquire`, which draws on standard error, where the headings go too, so
//! standard output stays free for the report.

use std::fmt;

use asyncmm_core::{Agreement, Answer, AnswerError, DetailedAnswers, QuickAnswers, TeamName};
use asyncmm_model::{Area, Level, Model, Statement};
use inquire::list_option::ListOption;
use inquire::validator::Validation;
use inquire::{InquireError, Select, Text};

/// Width that headings and statement lists are wrapped to, and the longest
/// option label; fits an 80-column terminal with inquire's prefixes.
const WIDTH: usize = 76;

/// Why the questionnaire stopped without answers.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// The respondent chose to stop (Esc, Ctrl-C, or end of input).
    #[error("questionnaire cancelled")]
    Cancelled,
    /// There is no terminal to ask on.
    #[error("the questionnaire needs an interactive terminal; answer from a file with --answers FILE instead")]
    NotInteractive,
    /// The terminal failed (I/O error, bad prompt configuration).
    #[error("the questionnaire failed: {0}")]
    Terminal(InquireError),
    /// The answers did not fit the model; only possible with a model without
    /// areas or statements, which model validation rejects.
    #[error("{0}")]
    Answers(AnswerError),
}

impl From<InquireError> for PromptError {
    fn from(e: InquireError) -> Self {
        match e {
            InquireError::OperationCanceled | InquireError::OperationInterrupted => PromptError::Cancelled,
            // Input closed (Ctrl-D on some terminals, a closed pipe): the
            // respondent is gone, which is a cancel, not a failure.
            InquireError::IO(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => PromptError::Cancelled,
            InquireError::NotTTY => PromptError::NotInteractive,
            other => PromptError::Terminal(other),
        }
    }
}

/// Asks for the team name, offering `default` when given; only a valid
/// [`TeamName`] is accepted.
pub fn ask_team(default: Option<&str>) -> Result<TeamName, PromptError> {
    let validator = |input: &str| {
        Ok(match TeamName::parse(input) {
            Ok(_) => Validation::Valid,
            Err(e) => Validation::Invalid(e.to_string().into()),
        })
    };
    let mut prompt = Text::new("Team name:")
        .with_help_message("the team being assessed, e.g. Platform")
        .with_validator(validator);
    if let Some(default) = default {
        prompt = prompt.with_default(default);
    }
    let input = prompt.prompt()?;
    // The validator accepted it, so this only fails if the rules changed
    // between the two calls; still reported, not unwrapped.
    TeamName::parse(&input).map_err(PromptError::Answers)
}

/// Quick mode: for each area, shows its name, intro and the statements of
/// every level, then asks which level fits best.
pub fn ask_quick(model: &Model) -> Result<QuickAnswers, PromptError> {
    let count = model.areas.len();
    let mut answers = Vec::with_capacity(count);
    for (i, area) in model.areas.iter().enumerate() {
        eprintln!("{}", area_heading(area, i + 1, count));
        eprintln!("{}", level_overview(model, area));
        let message = quick_question(area, i + 1, count);
        // Once chosen, the line left on screen shows only the level, not the
        // shortened statement of the option.
        let formatter = |option: ListOption<&LevelChoice>| short_level(model, option.value.level);
        let choice = Select::new(&message, quick_choices(model, area))
            .with_help_message(QUICK_HELP)
            .with_formatter(&formatter)
            .prompt()?;
        answers.push((area.id.clone(), choice.level));
    }
    QuickAnswers::for_model(model, answers).map_err(PromptError::Answers)
}

/// Detailed mode: for each area, shows its name and intro once, then asks
/// how true each statement is, with the position in the whole questionnaire
/// and the statement's hint when it has one.
pub fn ask_detailed(model: &Model) -> Result<DetailedAnswers, PromptError> {
    let total = model.statement_count();
    let areas = model.areas.len();
    let mut answers = Vec::with_capacity(total);
    let mut position = 0;
    for (i, area) in model.areas.iter().enumerate() {
        eprintln!("{}", area_heading(area, i + 1, areas));
        for statement in &area.statements {
            position += 1;
            if let Some(hint) = statement_hint(statement) {
                eprintln!("{hint}");
            }
            let message = statement_question(statement, position, total);
            let choice = Select::new(&message, agreement_choices())
                .with_help_message(DETAILED_HELP)
                .prompt()?;
            answers.push((statement.id.clone(), choice.answer));
        }
    }
    DetailedAnswers::for_model(model, answers).map_err(PromptError::Answers)
}

const QUICK_HELP: &str = "↑↓ to move, or type the level's number; enter to choose, esc to stop";

const DETAILED_HELP: &str = "how true for your team? ↑↓ or type 0-3 or ?, enter to choose, esc to stop";

/// One option of the quick-mode question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelChoice {
    pub level: Level,
    pub label: String,
}

impl fmt::Display for LevelChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// The four levels of an area as options, lowest first.
pub fn quick_choices(model: &Model, area: &Area) -> Vec<LevelChoice> {
    Level::ALL
        .into_iter()
        .map(|level| LevelChoice {
            level,
            label: level_label(model, area, level),
        })
        .collect()
}

/// `2 Defined — <first statement of the level>`, shortened to one line.
pub fn level_label(model: &Model, area: &Area, level: Level) -> String {
    let head = short_level(model, level);
    match area.statements_at(level).next() {
        Some(statement) => truncate(&format!("{head} — {}", statement.text), WIDTH),
        None => head,
    }
}

/// `2 Defined`: a level as shown once it was chosen.
pub fn short_level(model: &Model, level: Level) -> String {
    format!("{level} {}", model.level_name(level))
}

/// The quick-mode question for one area.
pub fn quick_question(area: &Area, index: usize, count: usize) -> String {
    format!("[{index}/{count}] Which level fits {} best?", area.name)
}

/// What each level of an area looks like: the level's number and name, then
/// its statements, wrapped; printed above the quick-mode question because an
/// option can hold only one line.
pub fn level_overview(model: &Model, area: &Area) -> String {
    let mut out = String::new();
    for level in Level::ALL {
        out.push_str(&format!("  {level} {}\n", model.level_name(level)));
        for statement in area.statements_at(level) {
            out.push_str(&wrap(&statement.text, WIDTH, "    • ", "      "));
            out.push('\n');
        }
    }
    out
}

/// The heading shown once per area: name, place among the areas, intro.
pub fn area_heading(area: &Area, index: usize, count: usize) -> String {
    format!(
        "\n{} (area {index} of {count})\n{}\n",
        area.name,
        wrap(&area.intro, WIDTH, "", "")
    )
}

/// One option of a detailed-mode question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgreementChoice {
    pub answer: Answer,
}

impl fmt::Display for AgreementChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.answer {
            Answer::Agree(a) => write!(f, "{a} — {}", a.label()),
            Answer::DontKnow => f.write_str("? — don't know"),
        }
    }
}

/// The agreement scale, 0 to 3, then "don't know".
pub fn agreement_choices() -> Vec<AgreementChoice> {
    Agreement::ALL
        .into_iter()
        .map(Answer::Agree)
        .chain([Answer::DontKnow])
        .map(|answer| AgreementChoice { answer })
        .collect()
}

/// `[13/60] <statement text>`: the statement with the progress through the
/// whole questionnaire.
pub fn statement_question(statement: &Statement, position: usize, total: usize) -> String {
    format!("[{position}/{total}] {}", statement.text)
}

/// The statement's hint, wrapped, shown just above its question so it is in
/// view while the respondent answers (and stays in the scrollback after).
pub fn statement_hint(statement: &Statement) -> Option<String> {
    let hint = statement.hint.as_deref()?;
    Some(wrap(&format!("Hint: {hint}"), WIDTH, "  ", "        "))
}

/// Shortens `text` to at most `max` characters, at a word boundary when one
/// is close, ending with `…` when anything was cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep: String = text.chars().take(max.saturating_sub(1)).collect();
    // Cut at the last space unless that would drop most of the line.
    let cut = match keep.rfind(' ') {
        Some(i) if keep.get(..i).is_some_and(|s| s.chars().count() >= max / 2) => keep.get(..i).unwrap_or(&keep),
        _ => keep.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '—']))
}

/// Greedy word wrap to `width` characters per line; the first line starts
/// with `first`, the others with `rest`. A word longer than a line is kept
/// whole rather than split.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        let needed = line.chars().count() + usize::from(!empty) + word.chars().count();
        if !empty && needed > width {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use asyncmm_model::AreaId;

    fn model() -> Model {
        asyncmm_model::default_model().expect("the embedded model is valid")
    }

    fn documentation(model: &Model) -> &Area {
        model
            .area(&AreaId::parse("documentation").expect("area id"))
            .expect("documentation area")
    }

    #[test]
    fn quick_choices_show_number_name_and_first_statement() {
        let model = model();
        let area = documentation(&model);
        let choices = quick_choices(&model, area);
        assert_eq!(choices.len(), 4);
        assert_eq!(
            choices.iter().map(|c| c.level.number()).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        let defined = &choices[2].to_string();
        assert!(
            defined.starts_with("2 Defined — Writing things down is part of"),
            "{defined}"
        );
        for choice in &choices {
            assert!(choice.label.chars().count() <= WIDTH, "{}", choice.label);
            assert!(!choice.label.contains('\n'));
        }
    }

    #[test]
    fn level_overview_lists_every_statement() {
        let model = model();
        let area = documentation(&model);
        let overview = level_overview(&model, area);
        for level in Level::ALL {
            assert!(overview.contains(&format!("  {level} {}\n", model.level_name(level))));
        }
        let flat = overview.split_whitespace().collect::<Vec<_>>().join(" ");
        for statement in &area.statements {
            assert!(flat.contains(&statement.text), "missing {}", statement.id);
        }
        assert_eq!(overview.matches('•').count(), area.statements.len());
        assert!(overview.lines().all(|l| l.chars().count() <= WIDTH), "{overview}");
    }

    #[test]
    fn agreement_choices_use_the_scale_labels() {
        let labels: Vec<String> = agreement_choices().iter().map(ToString::to_string).collect();
        assert_eq!(
            labels,
            vec![
                "0 — not true for us",
                "1 — a little true",
                "2 — mostly true",
                "3 — fully true",
                "? — don't know",
            ]
        );
        assert_eq!(agreement_choices()[4].answer, Answer::DontKnow);
    }

    #[test]
    fn help_lines_fit_the_width() {
        // inquire shows help in brackets.
        for help in [QUICK_HELP, DETAILED_HELP] {
            assert!(help.chars().count() + 2 <= WIDTH, "{help}");
        }
        assert_eq!(short_level(&model(), Level::MAX), "3 Optimizing");
    }

    #[test]
    fn statement_question_shows_progress() {
        let model = model();
        let statement = model.statements().nth(12).expect("13 statements");
        let question = statement_question(statement, 13, model.statement_count());
        assert_eq!(question, format!("[13/60] {}", statement.text));
    }

    #[test]
    fn offsite_statements_show_their_hint_and_others_none() {
        let model = model();
        let statement = |id: &str| {
            model
                .statement(&asyncmm_model::StatementId::parse(id).expect("id"))
                .expect("statement")
        };
        let hint = statement_hint(statement("meetings.1.3")).expect("offsite hint");
        assert_eq!(hint, "  Hint: If your team holds no offsites, answer \"don't know\".");
        assert!(statement_hint(statement("documentation.0.1")).is_none());
        let mut long = statement("meetings.2.3").clone();
        long.hint = Some("word ".repeat(40));
        let wrapped = statement_hint(&long).expect("hint");
        assert!(wrapped.lines().count() > 1);
        assert!(wrapped.lines().all(|l| l.chars().count() <= WIDTH), "{wrapped}");
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("        word")),
            "{wrapped}"
        );
    }

    #[test]
    fn quick_question_and_heading() {
        let model = model();
        let area = documentation(&model);
        assert_eq!(quick_question(area, 1, 5), "[1/5] Which level fits Documentation best?");
        let heading = area_heading(area, 1, 5);
        assert!(heading.starts_with("\nDocumentation (area 1 of 5)\n"), "{heading}");
        assert!(heading.lines().all(|l| l.chars().count() <= WIDTH), "{heading}");
    }

    #[test]
    fn truncate_keeps_short_text_and_cuts_at_words() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly ten", 11), "exactly ten");
        assert_eq!(truncate("one two three four", 12), "one two…");
        assert_eq!(truncate("abcdefghijklmnop", 6), "abcde…");
        assert_eq!(truncate("ééééé ééééé", 8), "ééééé…");
        assert_eq!(truncate("anything", 0), "…");
    }

    #[test]
    fn wrap_respects_width_and_indents() {
        let text = "the quick brown fox jumps over the lazy dog";
        assert_eq!(
            wrap(text, 15, "- ", "  "),
            "- the quick\n  brown fox\n  jumps over\n  the lazy dog"
        );
        assert_eq!(wrap("", 10, "> ", "  "), "> ");
        assert_eq!(
            wrap("supercalifragilistic word", 10, "", ""),
            "supercalifragilistic\nword"
        );
    }

    #[test]
    fn cancellations_are_told_apart_from_failures() {
        assert!(matches!(
            PromptError::from(InquireError::OperationCanceled),
            PromptError::Cancelled
        ));
        assert!(matches!(
            PromptError::from(InquireError::OperationInterrupted),
            PromptError::Cancelled
        ));
        let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof");
        assert!(matches!(
            PromptError::from(InquireError::IO(eof)),
            PromptError::Cancelled
        ));
        assert!(matches!(
            PromptError::from(InquireError::NotTTY),
            PromptError::NotInteractive
        ));
        let broken = std::io::Error::other("broken terminal");
        assert!(matches!(
            PromptError::from(InquireError::IO(broken)),
            PromptError::Terminal(_)
        ));
    }
}
