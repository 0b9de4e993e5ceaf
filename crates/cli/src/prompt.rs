//! The interactive questionnaire: asks for the team name and the answers in
//! the terminal, in quick mode (one level per area) or detailed mode (an
//! agreement per statement).
//!
//! This module owns only the conversation. It returns answers checked against
//! the model and stores or prints nothing else: the caller saves an assessment
//! only once every question was answered, so a questionnaire cancelled half
//! way (Esc after confirming, Ctrl-C, end of input) leaves nothing behind.
//! A respondent can go back a question (choose "← back", or type `b` and
//! Enter: the prompt library binds no other keys to a list), and reviews
//! the answers per area before they are handed back, changing any of them.
//! Esc asks before throwing answers away. Everything shown is
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
/// every level, then asks which level fits best. The respondent can go back
/// a question, and reviews every answer before they are handed back.
pub fn ask_quick(model: &Model) -> Result<QuickAnswers, PromptError> {
    let steps: Vec<Step> = model.areas.iter().map(Step::Area).collect();
    let picks = walk(model, &steps)?;
    let answers: Vec<_> = steps
        .iter()
        .zip(picks)
        .filter_map(|(step, pick)| match step {
            Step::Area(area) => Some((area.id.clone(), *Level::ALL.get(pick)?)),
            Step::Statement { .. } => None,
        })
        .collect();
    QuickAnswers::for_model(model, answers).map_err(PromptError::Answers)
}

/// Detailed mode: for each area, shows its name and intro once, then asks
/// how true each statement is, with the position in the whole questionnaire
/// and the statement's hint when it has one. Back and review as in quick
/// mode.
pub fn ask_detailed(model: &Model) -> Result<DetailedAnswers, PromptError> {
    let mut steps = Vec::with_capacity(model.statement_count());
    for area in &model.areas {
        for statement in &area.statements {
            steps.push(Step::Statement {
                area,
                statement,
                position: steps.len() + 1,
            });
        }
    }
    let picks = walk(model, &steps)?;
    let choices = agreement_choices();
    let answers: Vec<_> = steps
        .iter()
        .zip(picks)
        .filter_map(|(step, pick)| match step {
            Step::Statement { statement, .. } => Some((statement.id.clone(), choices.get(pick)?.answer)),
            Step::Area(_) => None,
        })
        .collect();
    DetailedAnswers::for_model(model, answers).map_err(PromptError::Answers)
}

/// One question of the questionnaire.
#[derive(Debug, Clone, Copy)]
enum Step<'m> {
    /// Quick mode: which level fits the area.
    Area(&'m Area),
    /// Detailed mode: how true the statement is; `position` counts from 1.
    Statement {
        area: &'m Area,
        statement: &'m Statement,
        position: usize,
    },
}

impl<'m> Step<'m> {
    fn area(&self) -> &'m Area {
        match self {
            Step::Area(area) | Step::Statement { area, .. } => area,
        }
    }
}

/// What one question came back with.
enum Reply {
    /// The option at this index of the question's choices.
    Chose(usize),
    /// Back to the previous question (or the list it was chosen from).
    Back,
}

/// An option of a question: a choice, or the way back.
struct Opt {
    label: String,
    /// What the line shows once chosen.
    short: String,
    /// `None` is the way back.
    pick: Option<usize>,
}

impl fmt::Display for Opt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// The label of the way back in every list.
pub const BACK_LABEL: &str = "← back (b)";

/// Typing filters the options: `b` leaves only the way back, a number or
/// `?` the option it starts, anything else the options containing it.
fn score(input: &str, option: &&Opt, _: &str, _: usize) -> Option<i64> {
    let input = input.trim().to_lowercase();
    if input.is_empty() {
        return Some(0);
    }
    if input == "b" {
        return option.pick.is_none().then_some(0);
    }
    let label = option.label.to_lowercase();
    if input.chars().all(|c| c.is_ascii_digit() || c == '?') {
        return (option.pick.is_some() && label.starts_with(&input)).then_some(0);
    }
    label.contains(&input).then_some(0)
}

/// Asks one list question. Esc asks whether to stop (and throw away what
/// was answered, `answered` answers); Ctrl-C stops at once.
fn choose(
    message: &str,
    options: Vec<Opt>,
    help: &str,
    cursor: usize,
    answered: usize,
) -> Result<Option<usize>, PromptError> {
    let formatter = |option: ListOption<&&Opt>| option.value.short.clone();
    loop {
        let picked = Select::new(message, options.iter().collect::<Vec<&Opt>>())
            .with_help_message(help)
            .with_formatter(&formatter)
            .with_scorer(&score)
            .with_starting_cursor(cursor.min(options.len().saturating_sub(1)))
            .with_page_size(options.len().min(12))
            .prompt();
        match picked {
            Ok(option) => return Ok(option.pick),
            Err(InquireError::OperationCanceled) => {
                if stop_now(answered)? {
                    return Err(PromptError::Cancelled);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Esc was pressed: with answers given, ask before throwing them away.
fn stop_now(answered: usize) -> Result<bool, PromptError> {
    if answered == 0 {
        return Ok(true);
    }
    let question = format!(
        "Stop and throw away the {answered} answer{} given so far?",
        if answered == 1 { "" } else { "s" }
    );
    match inquire::Confirm::new(&question)
        .with_default(false)
        .with_help_message("y = stop and store nothing; n or enter = carry on where you were")
        .prompt()
    {
        Ok(stop) => Ok(stop),
        // Esc on the question itself means "no, carry on".
        Err(InquireError::OperationCanceled) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The options of a step, with the way back when `back` is given.
fn options_of(model: &Model, step: &Step, back: bool) -> Vec<Opt> {
    let mut options: Vec<Opt> = match step {
        Step::Area(area) => quick_choices(model, area)
            .into_iter()
            .enumerate()
            .map(|(i, c)| Opt {
                short: short_level(model, c.level),
                label: c.label,
                pick: Some(i),
            })
            .collect(),
        Step::Statement { .. } => agreement_choices()
            .into_iter()
            .enumerate()
            .map(|(i, c)| Opt {
                label: c.to_string(),
                short: c.to_string(),
                pick: Some(i),
            })
            .collect(),
    };
    if back {
        options.push(Opt {
            label: BACK_LABEL.to_string(),
            short: "← back".to_string(),
            pick: None,
        });
    }
    options
}

/// Asks one step, showing what goes above its question.
fn ask_step(
    model: &Model,
    step: &Step,
    steps: usize,
    current: Option<usize>,
    back: bool,
    answered: usize,
) -> Result<Reply, PromptError> {
    let (message, help) = match step {
        Step::Area(area) => {
            eprintln!("{}", level_overview(model, area));
            let index = model.areas.iter().position(|a| a.id == area.id).unwrap_or(0) + 1;
            (quick_question(area, index, steps), QUICK_HELP)
        }
        Step::Statement {
            statement, position, ..
        } => {
            if let Some(hint) = statement_hint(statement) {
                eprintln!("{hint}");
            }
            (statement_question(statement, *position, steps), DETAILED_HELP)
        }
    };
    let picked = choose(
        &message,
        options_of(model, step, back),
        help,
        current.unwrap_or(0),
        answered,
    )?;
    Ok(picked.map_or(Reply::Back, Reply::Chose))
}

/// Walks the questions in order (back goes one question back, keeping the
/// answers given), then shows the review until the respondent saves.
/// Returns the chosen option index per step.
fn walk(model: &Model, steps: &[Step]) -> Result<Vec<usize>, PromptError> {
    let mut picks: Vec<Option<usize>> = vec![None; steps.len()];
    let mut at = 0;
    let mut shown_area: Option<&str> = None;
    while let Some(step) = steps.get(at) {
        let area = step.area();
        if shown_area != Some(area.id.as_str()) {
            let index = model.areas.iter().position(|a| a.id == area.id).unwrap_or(0) + 1;
            eprintln!("{}", area_heading(area, index, model.areas.len()));
            shown_area = Some(area.id.as_str());
        }
        let answered = picks.iter().flatten().count();
        match ask_step(model, step, steps.len(), picks[at], at > 0, answered)? {
            Reply::Chose(pick) => {
                picks[at] = Some(pick);
                at += 1;
            }
            Reply::Back => at = at.saturating_sub(1),
        }
    }
    let mut picks: Vec<usize> = picks.into_iter().map(|p| p.unwrap_or(0)).collect();
    review(model, steps, &mut picks)?;
    Ok(picks)
}

/// The review before saving: every area with its answers; choosing one
/// lets any of its answers be changed.
fn review(model: &Model, steps: &[Step], picks: &mut [usize]) -> Result<(), PromptError> {
    loop {
        eprintln!("\nReview your answers before they are saved.");
        let mut options = vec![Opt {
            label: "Save these answers".to_string(),
            short: "saved".to_string(),
            pick: Some(0),
        }];
        for (i, area) in model.areas.iter().enumerate() {
            options.push(Opt {
                label: truncate(
                    &format!("Change {}: {}", area.name, area_summary(model, area, steps, picks)),
                    WIDTH,
                ),
                short: format!("change {}", area.name),
                pick: Some(i + 1),
            });
        }
        // The cursor starts on "Save": after a change, saving is the
        // likely next step.
        let chosen = choose("Save, or change an area?", options, REVIEW_HELP, 0, steps.len())?;
        match chosen {
            None | Some(0) => return Ok(()),
            Some(n) => {
                if let Some(area) = model.areas.get(n - 1) {
                    change_area(model, area, steps, picks)?;
                }
            }
        }
    }
}

/// "2 Defined" (quick) or "12 answered: 0×3 1×4 2×3 3×1 ?×1" (detailed).
fn area_summary(model: &Model, area: &Area, steps: &[Step], picks: &[usize]) -> String {
    let mine: Vec<(&Step, usize)> = steps
        .iter()
        .zip(picks.iter().copied())
        .filter(|(s, _)| s.area().id == area.id)
        .collect();
    match mine.first() {
        Some((Step::Area(_), pick)) => Level::ALL
            .get(*pick)
            .map_or_else(String::new, |l| short_level(model, *l)),
        _ => {
            let labels = ["0", "1", "2", "3", "?"];
            let counts: Vec<String> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{l}×{}", mine.iter().filter(|(_, p)| *p == i).count()))
                .collect();
            format!("{} answered ({})", mine.len(), counts.join(" "))
        }
    }
}

/// Changes answers of one area from the review: quick mode asks its one
/// question again; detailed mode lists its statements to pick from.
fn change_area(model: &Model, area: &Area, steps: &[Step], picks: &mut [usize]) -> Result<(), PromptError> {
    let mine: Vec<usize> = (0..steps.len()).filter(|&i| steps[i].area().id == area.id).collect();
    if let [only] = mine.as_slice()
        && matches!(steps[*only], Step::Area(_))
    {
        if let Reply::Chose(pick) = ask_step(model, &steps[*only], steps.len(), Some(picks[*only]), true, steps.len())?
        {
            picks[*only] = pick;
        }
        return Ok(());
    }
    let choices = agreement_choices();
    let mut cursor = 0;
    loop {
        let mut options: Vec<Opt> = mine
            .iter()
            .enumerate()
            .filter_map(|(k, &i)| {
                let Step::Statement {
                    statement, position, ..
                } = steps[i]
                else {
                    return None;
                };
                let answer = choices.get(picks[i]).map_or_else(String::new, |c| c.to_string());
                Some(Opt {
                    label: truncate(&format!("[{position}] {answer} · {}", statement.text), WIDTH),
                    short: format!("statement {position}"),
                    pick: Some(k),
                })
            })
            .collect();
        options.push(Opt {
            label: "← back to the review (b)".to_string(),
            short: "back to the review".to_string(),
            pick: None,
        });
        let message = format!("{}: which answer to change?", area.name);
        match choose(&message, options, REVIEW_HELP, cursor, steps.len())? {
            None => return Ok(()),
            Some(k) => {
                cursor = k + 1;
                if let Some(&i) = mine.get(k)
                    && let Reply::Chose(pick) =
                        ask_step(model, &steps[i], steps.len(), Some(picks[i]), true, steps.len())?
                {
                    picks[i] = pick;
                }
            }
        }
    }
}

const QUICK_HELP: &str = "↑↓ or type the level's number, enter to choose; b = back; esc = stop";

const DETAILED_HELP: &str = "how true for your team? ↑↓ or 0-3 or ?, enter; b = back; esc = stop";

const REVIEW_HELP: &str = "↑↓ to move, enter to choose; b = back; esc = stop";

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
        for help in [QUICK_HELP, DETAILED_HELP, REVIEW_HELP] {
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
