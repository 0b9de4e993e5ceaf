//! HTML reports and SVG charts written through the binary: `--format html
//! --output FILE` and `asyncmm chart ... --output FILE.svg`, with a hostile
//! team name to prove user text is escaped end to end.

use predicates::prelude::*;

mod common;
use common::Env;

const HOSTILE: &str = "<script>alert(\"x\")</script> & 'Ops'";

fn quick(env: &Env, name: &str, team: &str, level: u8) -> std::path::PathBuf {
    let team = team.replace('\\', "\\\\").replace('"', "\\\"");
    env.write(
        name,
        &format!(
            "team = \"{team}\"\nmode = \"quick\"\n[answers]\ndocumentation = {level}\ndecision-making = 1\n\
             work-tracking = 2\nmeetings = 1\nleadership-culture = {level}\n"
        ),
    )
}

fn assessed_twice(env: &Env) {
    for (i, level) in [1u8, 2].into_iter().enumerate() {
        let file = quick(env, &format!("a{i}.toml"), HOSTILE, level);
        env.cmd().args(["assess", "--answers"]).arg(&file).assert().success();
    }
}

fn assert_self_contained(html: &str) {
    assert!(!html.contains("<script"), "no script element");
    assert!(html.contains("&#60;script&#62;"), "team name escaped in the page");
    assert!(html.contains("&lt;script&gt;"), "team name escaped in the charts");
    for (at, _) in html.match_indices("http") {
        assert!(
            html[..at].ends_with("<a href=\""),
            "external reference outside a credit link near {}",
            &html[at.saturating_sub(30)..(at + 30).min(html.len())]
        );
    }
}

#[test]
fn report_and_history_write_self_contained_html_files() {
    let env = Env::new();
    assessed_twice(&env);
    let path = env.dir.path().join("report.html");
    env.cmd()
        .args(["report", "--team", HOSTILE, "--format", "html", "--output"])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    let html = std::fs::read_to_string(&path).expect("report written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "inline radar");
    assert!(
        html.contains("previous: assessment #1 ("),
        "radar compares with the previous assessment"
    );
    assert!(html.contains("CC-BY-4.0"));
    assert_self_contained(&html);

    let path = env.dir.path().join("history.html");
    env.cmd()
        .args(["history", "--team", HOSTILE, "--format", "html", "--output"])
        .arg(&path)
        .assert()
        .success();
    let html = std::fs::read_to_string(&path).expect("history written");
    assert!(html.contains("self-assessed score per area"));
    assert_self_contained(&html);

    // A text report to a file too; no temporary files stay behind.
    let path = env.dir.path().join("out").join("report.txt");
    std::fs::create_dir(env.dir.path().join("out")).expect("dir");
    env.ok(&[
        "report",
        "--team",
        HOSTILE,
        "--output",
        path.to_str().expect("utf-8 path"),
    ]);
    assert!(
        std::fs::read_to_string(&path)
            .expect("written")
            .contains("assessment #2")
    );
    assert_eq!(std::fs::read_dir(env.dir.path().join("out")).expect("dir").count(), 1);
}

#[test]
fn a_failed_report_leaves_no_file() {
    let env = Env::new();
    assessed_twice(&env);
    let path = env.dir.path().join("report.html");
    env.cmd()
        .args(["report", "--team", "Nobody", "--format", "html", "--output"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(env.dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count(),
        0
    );
}

#[test]
fn charts_write_svg_files() {
    let env = Env::new();
    assessed_twice(&env);
    for kind in ["radar", "trend"] {
        let path = env.dir.path().join(format!("{kind}.svg"));
        env.cmd()
            .args(["chart", kind, "--team", HOSTILE, "--output"])
            .arg(&path)
            .assert()
            .success();
        let svg = std::fs::read_to_string(&path).expect("chart written");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{svg}");
        assert!(svg.contains("<title id=") && svg.contains("<desc id="));
        assert!(!svg.contains("<script"));
    }
    // The heat map shows rounds: one team above k, one below.
    env.ok(&["team", "add", "Tiny"]);
    env.ok(&["round", "open", "--team", "Tiny", "--k", "3"]);
    let svg = env.ok(&["chart", "heatmap"]);
    assert!(svg.contains("<title id=\"heatmap-title\">"), "{svg}");
    // Every one of Tiny's five cells is hidden and says so (one cell alone
    // would not do), plus the legend's explanation.
    assert_eq!(svg.matches("class=\"hidden-cell\"").count(), 5, "{svg}");
    assert_eq!(svg.matches("font-style=\"italic\">n&lt;k</text>").count(), 5, "{svg}");
    assert!(svg.contains("n&lt;k: hidden to protect anonymity"), "{svg}");
    env.fails(&["chart", "heatmap", "--team", "Tiny"], "drop --team");
}

#[test]
fn radar_shows_the_goals_as_targets() {
    let env = Env::new();
    let file = quick(&env, "g.toml", "Goalies", 1);
    env.cmd().args(["assess", "--answers"]).arg(&file).assert().success();
    let svg = env.dir.path().join("radar.svg");
    env.cmd()
        .args(["chart", "radar", "--team", "Goalies", "--output"])
        .arg(&svg)
        .assert()
        .success();
    let without = std::fs::read_to_string(&svg).expect("svg");
    assert!(!without.contains("target"), "no goals, no target series");
    env.cmd()
        .args([
            "plan",
            "goal",
            "set",
            "--team",
            "Goalies",
            "--area",
            "meetings",
            "--level",
            "3",
            "--by",
            "2099-06-30",
        ])
        .assert()
        .success();
    std::fs::remove_file(&svg).expect("remove");
    env.cmd()
        .args(["chart", "radar", "--team", "Goalies", "--output"])
        .arg(&svg)
        .assert()
        .success();
    let with = std::fs::read_to_string(&svg).expect("svg");
    assert!(with.contains("target"), "goal drawn as target");
    assert!(
        with.contains("Meetings 3.00"),
        "text alternative names the target value"
    );
}

/// Writes an HTML page with `args … --format html --output FILE` and reads it.
fn html_page(env: &Env, name: &str, args: &[&str]) -> String {
    let path = env.dir.path().join(name);
    env.cmd()
        .args(args)
        .args(["--format", "html", "--output"])
        .arg(&path)
        .assert()
        .success();
    std::fs::read_to_string(&path).expect("page written")
}

/// No broken markup: the page is `<!DOCTYPE html>` followed by one
/// well-formed `<html>` element (every element closed, attributes quoted,
/// only XML entities), with a head, a title and a body.
fn assert_well_formed(name: &str, html: &str) {
    let rest = html
        .strip_prefix("<!DOCTYPE html>\n")
        .unwrap_or_else(|| panic!("{name}: <!DOCTYPE html> first"));
    let doc = roxmltree::Document::parse(rest).unwrap_or_else(|e| panic!("{name}: broken markup: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html", "{name}");
    let children: Vec<&str> = root
        .children()
        .filter(roxmltree::Node::is_element)
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(children, ["head", "body"], "{name}");
    assert!(
        doc.descendants().any(|n| n.has_tag_name("title")),
        "{name}: has a title"
    );
}

/// A team with two assessments, a goal and actions, including a hostile
/// action title and a link with characters HTML must escape.
fn planned(env: &Env) {
    assessed_twice(env);
    env.ok(&[
        "plan",
        "goal",
        "set",
        "--team",
        HOSTILE,
        "--area",
        "meetings",
        "--level",
        "2",
        "--by",
        "2099-06-30",
    ]);
    env.ok(&[
        "plan",
        "action",
        "add",
        "--team",
        HOSTILE,
        "--title",
        "<script>alert(1)</script> agendas & \"notes\"",
        "--owner",
        "<b>Ana</b>",
        "--link",
        "https://example.com/issues/12?a=1&b=\"2\"",
        "--statement",
        "meetings.2.1",
    ]);
    env.ok(&[
        "plan",
        "action",
        "add",
        "--team",
        HOSTILE,
        "--title",
        "Decision log",
        "--statement",
        "documentation.0.2",
    ]);
}

#[test]
fn the_html_report_shows_the_plan() {
    let env = Env::new();
    planned(&env);
    let html = html_page(&env, "plan.html", &["report", "--team", HOSTILE]);
    assert_self_contained(&html);
    let plan = &html[html.find("<h2>Plan</h2>").expect("plan section")..];
    let trend = html.find("<h2>Trend</h2>").expect("trend");
    assert!(html.find("<h2>Plan</h2>") < Some(trend), "plan before the trend");
    assert!(plan.contains("Current levels from assessment #2"), "{plan}");
    assert!(
        plan.contains("<th scope=\"row\">Meetings<br/><span class=\"by\">by 2099-06-30</span></th>"),
        "{plan}"
    );
    assert!(
        plan.contains("<td>1 → 1 → <strong>2</strong></td><td>on track</td><td>–</td>"),
        "{plan}"
    );
    assert!(
        plan.contains(
            "<a href=\"https://example.com/issues/12?a=1&#38;b=%222%22\"><bdi>&#60;script&#62;alert(1)&#60;/script&#62; \
             agendas &#38; &#34;notes&#34;</bdi></a> — <bdi>&#60;b&#62;Ana&#60;/b&#62;</bdi>"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("<span class=\"status todo\">todo</span> <bdi>Decision log</bdi>"),
        "{plan}"
    );
    assert!(!html.contains("<script") && !html.contains("<b>"), "user text escaped");
    assert_well_formed("report with a plan", &html);

    // Without goals or actions there is no plan section.
    let env = Env::new();
    assessed_twice(&env);
    let html = html_page(&env, "report.html", &["report", "--team", HOSTILE]);
    assert!(!html.contains("<h2>Plan</h2>"));
}

#[test]
fn every_html_page_is_well_formed() {
    let env = Env::new();
    planned(&env);
    assert_well_formed(
        "report",
        &html_page(&env, "report.html", &["report", "--team", HOSTILE]),
    );
    assert_well_formed(
        "history",
        &html_page(&env, "history.html", &["history", "--team", HOSTILE]),
    );
    // A shown round (k = 5 reached) and a hidden one, then the org view with both.
    env.ok(&["team", "add", "Shown"]);
    env.ok(&["team", "add", "Tiny"]);
    for (team, responses) in [("Shown", 5), ("Tiny", 2)] {
        let out = env.ok(&["round", "open", "--team", team, "--tokens", &responses.to_string()]);
        let file = quick(&env, &format!("{team}.toml"), team, 2);
        for token in out.lines().filter(|l| l.starts_with("  ") && l.trim().len() == 32) {
            env.cmd()
                .args(["respond", token.trim(), "--answers"])
                .arg(&file)
                .assert()
                .success();
        }
    }
    // Open, even a round with k responses shows only its count.
    let open = html_page(&env, "round1-open.html", &["report", "--round", "1"]);
    assert!(!open.contains("Result per area"), "an open round shows no result");
    assert!(open.contains("open: 5 responses so far"), "{open}");
    assert_well_formed("open round", &open);
    env.ok(&["round", "close", "1"]);
    env.ok(&["round", "close", "2", "--yes"]);
    let shown = html_page(&env, "round1.html", &["report", "--round", "1"]);
    assert!(shown.contains("Result per area"), "round shown");
    assert_well_formed("round", &shown);
    let hidden = html_page(&env, "round2.html", &["report", "--round", "2"]);
    assert!(!hidden.contains("Result per area"), "round hidden");
    assert_well_formed("hidden round", &hidden);
    assert_well_formed("org", &html_page(&env, "org.html", &["report", "--org"]));
}

/// Team names people type reach every HTML page escaped once, and a
/// right-to-left name is isolated so it can't reorder the text around it:
/// one team named with markup and every character HTML must escape, one
/// with an Arabic name, each with results (a closed round and a
/// self-assessment), rendered through `report --format html`.
#[test]
fn hostile_and_right_to_left_team_names_are_escaped_and_isolated() {
    const MARKUP: &str = "<script>alert(1)</script>\"'&";
    const ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;";
    const RTL: &str = "فريق الويب";
    let env = Env::new();
    env.ok(&["team", "add", MARKUP]);
    env.ok(&["team", "add", RTL]);
    for team in [MARKUP, RTL] {
        let out = env.ok(&["round", "open", "--team", team, "--tokens", "5"]);
        let file = quick(&env, "round.toml", team, 2);
        let tokens: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("  ") && l.trim().len() == 32)
            .collect();
        assert_eq!(tokens.len(), 5, "{out}");
        for token in tokens {
            env.cmd()
                .args(["respond", token.trim(), "--answers"])
                .arg(&file)
                .assert()
                .success();
        }
    }
    env.ok(&["round", "close", "1"]);
    env.ok(&["round", "close", "2"]);
    let file = quick(&env, "self.toml", RTL, 1);
    env.cmd().args(["assess", "--answers"]).arg(&file).assert().success();

    let team_page = html_page(&env, "markup.html", &["report", "--team", MARKUP]);
    let round_page = html_page(&env, "round.html", &["report", "--round", "1"]);
    let org_page = html_page(&env, "org.html", &["report", "--org"]);
    let summary_page = html_page(&env, "summary.html", &["report", "--org", "--summary"]);
    for (name, page) in [
        ("team report", &team_page),
        ("round", &round_page),
        ("org", &org_page),
        ("summary", &summary_page),
    ] {
        assert!(!page.contains("<script"), "{name}: raw markup from a team name");
        assert!(page.contains(ESCAPED), "{name}: the name escaped once: {page}");
        assert!(!page.contains("&amp;#"), "{name}: nothing escaped twice");
        assert_well_formed(name, page);
    }
    assert!(
        team_page.contains(&format!("<h1><bdi>{ESCAPED}</bdi> — round 1</h1>")),
        "{team_page}"
    );
    assert!(
        org_page.contains(&format!("<th scope=\"row\"><bdi>{ESCAPED}</bdi></th>")),
        "{org_page}"
    );

    let rtl_page = html_page(&env, "rtl.html", &["report", "--team", RTL]);
    assert!(rtl_page.contains(&format!("<bdi>{RTL}</bdi>")), "{rtl_page}");
    assert_eq!(
        rtl_page.matches(RTL).count(),
        rtl_page.matches(&format!("<bdi>{RTL}</bdi>")).count()
            + rtl_page.matches(&format!("<title>{RTL}")).count()
            + chart_mentions(&rtl_page, RTL),
        "every mention in the page body is isolated: {rtl_page}"
    );
    for page in [&org_page, &summary_page] {
        assert!(page.contains(&format!("<bdi>{RTL}</bdi>")), "{page}");
    }
}

/// How often `text` occurs inside the page's inline SVG charts, whose
/// text the chart's own layout places.
fn chart_mentions(page: &str, text: &str) -> usize {
    page.split("<svg")
        .skip(1)
        .map(|chart| chart.split("</svg>").next().unwrap_or("").matches(text).count())
        .sum()
}
