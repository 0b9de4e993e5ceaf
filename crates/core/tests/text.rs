//! The text rule where the core takes text from people: team names, action
//! titles and owners, and links (parsed as URLs and kept percent-encoded, so
//! they can't become markup in a Markdown or HTML plan).

use asyncmm_core::TeamName;
use asyncmm_core::plan::{Link, NewAction, PlanError, parse_owner, parse_title};
use asyncmm_model::StatementId;
use asyncmm_text::TextError;
use proptest::prelude::*;
use time::macros::date;

#[test]
fn team_names_that_look_the_same_are_the_same() {
    let web = TeamName::parse("Web").expect("name");
    for lookalike in ["Web\u{200b}", "\u{feff}Web", "W\u{ad}eb", "Web\u{2060}", "\u{202e}Web"] {
        let err = TeamName::parse(lookalike).expect_err(lookalike);
        assert!(err.to_string().contains("is not allowed"), "{err}");
    }
    assert_eq!(TeamName::parse(" Web "), Ok(web));
    assert_eq!(
        TeamName::parse("Cafe\u{301} Team"),
        TeamName::parse("Caf\u{e9}\u{a0}Team")
    );
}

#[test]
fn titles_and_owners_refuse_terminal_controls() {
    assert_eq!(
        parse_title("  Agenda for every meeting "),
        Ok("Agenda for every meeting".to_string())
    );
    assert_eq!(parse_title(" "), Err(PlanError::EmptyTitle));
    let err = parse_title("Fix\u{1b}[2J").expect_err("escape");
    assert_eq!(
        err,
        PlanError::BadText {
            field: "title",
            problem: TextError::Refused {
                character: '\u{1b}',
                position: 4,
                class: asyncmm_text::Class::Control
            }
        }
    );
    assert!(
        err.to_string()
            .starts_with("action title: character U+001B (escape) at position 4 is not allowed"),
        "{err}"
    );
    assert_eq!(parse_owner(""), Ok(None));
    assert!(parse_owner("Ana\u{7}").is_err());
    assert!(parse_title("two\nlines").is_err());
    let model = asyncmm_model::default_model().expect("model");
    let statement = StatementId::parse("meetings.2.1").expect("id");
    let team = TeamName::parse("Platform").expect("team");
    let refused = NewAction::new(
        &model,
        team,
        "Agenda",
        Some("Ana\u{202e}"),
        None,
        std::slice::from_ref(&statement),
        date!(2026 - 01 - 01),
    );
    assert!(
        matches!(refused, Err(PlanError::BadText { field: "owner", .. })),
        "{refused:?}"
    );
}

#[test]
fn links_are_kept_percent_encoded() {
    let hostile = Link::parse("https://x/\"><script>alert(1)</script>").expect("a URL after all");
    assert_eq!(hostile.as_str(), "https://x/%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
    assert_eq!(
        Link::parse("https://Example.COM/caf\u{e9}?q=\"x\"#<f>")
            .expect("url")
            .as_str(),
        "https://example.com/caf%C3%A9?q=%22x%22#%3Cf%3E"
    );
    assert_eq!(
        Link::parse("https://b\u{fc}cher.example/").expect("url").as_str(),
        "https://xn--bcher-kva.example/"
    );
    for bad in [
        "https:///path",
        "https://exa mple.com",
        "https://x/\na",
        "https://x\u{7}/",
        "https://a<b/",
    ] {
        assert!(
            matches!(Link::parse(bad), Err(PlanError::BadLink(_))),
            "{bad:?} accepted"
        );
    }
}

proptest! {
    #[test]
    fn a_link_never_holds_markup_characters_and_parses_to_itself(
        path in "[a-z0-9/\"'<>` ()\\[\\]{}|\\\\^%?#=&é]{0,30}"
    ) {
        if let Ok(link) = Link::parse(&format!("https://example.com/{path}")) {
            let text = link.as_str();
            prop_assert!(!text.contains(['<', '>', '"', ' ', '\\']), "{}", text);
            prop_assert!(text.is_ascii(), "{}", text);
            prop_assert_eq!(Link::parse(text), Ok(link.clone()));
        }
    }
}
