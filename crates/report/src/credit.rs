//! The model credit: who wrote the framework a result was measured against,
//! where it lives, what it adapts, under which licence, and what this model
//! changed. CC-BY asks for all of it wherever the work is shown, so every
//! renderer takes it from here, from the model the data was recorded with,
//! and no format can carry a shorter one.

use askama::Template;

use crate::data::ModelInfo;
use crate::markdown;

const CC_BY_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

/// The credit's parts, in the order every format shows them.
struct Parts<'a> {
    /// `Async communications maturity model (async-communications@1.1.0, a
    /// wording revision of 1.0.0)`.
    model: String,
    source_title: &'a str,
    source_url: &'a str,
    author: &'a str,
    adapted: Option<(&'a str, Option<&'a str>)>,
    license: &'a str,
    license_url: Option<&'a str>,
    changes: &'a str,
}

impl<'a> Parts<'a> {
    fn of(model: &'a ModelInfo) -> Self {
        let revision = model
            .revises
            .as_ref()
            .map_or_else(String::new, |base| format!(", a wording revision of {base}"));
        let license_url = if model.license_url.is_empty() {
            (model.license == "CC-BY-4.0").then_some(CC_BY_URL)
        } else {
            Some(model.license_url.as_str())
        };
        Parts {
            model: format!("{} ({}{revision})", model.title, model.key()),
            source_title: &model.source_title,
            source_url: &model.source_url,
            author: &model.source_author,
            adapted: model
                .source_adapted_from
                .as_deref()
                .map(|title| (title, model.source_adapted_from_url.as_deref())),
            license: &model.license,
            license_url,
            changes: &model.source_changes,
        }
    }
}

/// Only web addresses become links; anything else in a custom model file is
/// shown as text, so a credit can't smuggle in another kind of reference.
fn is_web(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// The credit as one plain-text paragraph (wrap it to fit).
pub fn text(model: &ModelInfo) -> String {
    let p = Parts::of(model);
    let mut out = format!(
        "Model: {}, based on \"{}\" by {} ({})",
        p.model, p.source_title, p.author, p.source_url
    );
    if let Some((title, url)) = p.adapted {
        out.push_str(&format!(", itself adapted from \"{title}\""));
        if let Some(url) = url {
            out.push_str(&format!(" ({url})"));
        }
    }
    out.push_str(&format!(", licensed {}", p.license));
    if let Some(url) = p.license_url {
        out.push_str(&format!(" ({url})"));
    }
    out.push('.');
    if !p.changes.is_empty() {
        out.push_str(&format!(" Changes: {}", p.changes));
    }
    out
}

fn md_link(title: &str, url: &str) -> String {
    if is_web(url) {
        format!("[{}](<{url}>)", markdown::escape(title))
    } else {
        format!("{} ({})", markdown::escape(title), markdown::escape(url))
    }
}

/// The credit as one Markdown paragraph with links.
pub fn markdown(model: &ModelInfo) -> String {
    let p = Parts::of(model);
    let mut out = format!(
        "Model: {}, based on {} by {}",
        markdown::escape(&p.model),
        md_link(p.source_title, p.source_url),
        markdown::escape(p.author)
    );
    if let Some((title, url)) = p.adapted {
        let adapted = match url {
            Some(url) => md_link(title, url),
            None => markdown::escape(title),
        };
        out.push_str(&format!(", itself adapted from {adapted}"));
    }
    let license = match p.license_url {
        Some(url) => md_link(p.license, url),
        None => markdown::escape(p.license),
    };
    out.push_str(&format!(", licensed {license}."));
    if !p.changes.is_empty() {
        out.push_str(&format!(" Changes: {}", markdown::escape(p.changes)));
    }
    out
}

/// A credit part that links to its address when that is a web address.
pub(crate) struct Link<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: Option<&'a str>,
}

impl<'a> Link<'a> {
    fn of(title: &'a str, url: &'a str) -> Self {
        Link {
            title,
            url: is_web(url).then_some(url),
        }
    }
}

/// The credit's parts as the HTML templates show them (`credit.html`).
pub(crate) struct HtmlCredit<'a> {
    pub(crate) model: String,
    pub(crate) source: Link<'a>,
    pub(crate) author: &'a str,
    pub(crate) adapted: Option<Link<'a>>,
    pub(crate) license: Link<'a>,
    pub(crate) changes: &'a str,
}

impl<'a> HtmlCredit<'a> {
    pub(crate) fn of(model: &'a ModelInfo) -> Self {
        let p = Parts::of(model);
        HtmlCredit {
            model: p.model,
            source: Link::of(p.source_title, p.source_url),
            author: p.author,
            adapted: p.adapted.map(|(title, url)| Link {
                title,
                url: url.filter(|u| is_web(u)),
            }),
            license: Link {
                title: p.license,
                url: p.license_url.filter(|u| is_web(u)),
            },
            changes: p.changes,
        }
    }
}

#[derive(Template)]
#[template(path = "credit.html")]
struct CreditLine<'a> {
    credit: HtmlCredit<'a>,
}

#[derive(Template)]
#[template(path = "credits.html")]
struct CreditFooter<'a> {
    credits: Vec<HtmlCredit<'a>>,
}

/// The credit as HTML inline content (no surrounding element), every text
/// escaped and only web addresses linked.
pub fn html(model: &ModelInfo) -> String {
    crate::html::render(&CreditLine {
        credit: HtmlCredit::of(model),
    })
}

/// Credits for data recorded with several model versions, one paragraph
/// each, for HTML footers; a page with no recorded model says only what
/// made it.
pub fn html_footer(models: &[ModelInfo]) -> String {
    crate::html::render(&CreditFooter {
        credits: models.iter().map(HtmlCredit::of).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_info() -> ModelInfo {
        ModelInfo::of(&asyncmm_model::default_model().expect("default model"))
    }

    fn old_info() -> ModelInfo {
        let old = asyncmm_model::embedded("async-communications", "1.0.0")
            .expect("embedded")
            .parse()
            .expect("valid");
        ModelInfo::of(&old)
    }

    const PARTS: [&str; 7] = [
        "Allison Matlack",
        "https://github.com/amatlack/rethinking-async-communications/blob/main/maturity-model.md",
        "How GitHub Engineering Communicates",
        "https://github.com/github/how-engineering-communicates",
        "CC-BY-4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "a wording revision of 1.0.0",
    ];

    #[test]
    fn every_format_carries_every_part() {
        let info = default_info();
        for (format, out) in [
            ("text", text(&info)),
            ("markdown", markdown(&info)),
            ("html", html(&info)),
        ] {
            for part in PARTS {
                assert!(out.contains(part), "{format} credit lacks {part:?}: {out}");
            }
            assert!(
                out.contains("Changes: asyncmm restates each of the source"),
                "{format}: {out}"
            );
            assert!(out.contains("async-communications@1.1.0"), "{format}: {out}");
        }
    }

    #[test]
    fn text_credit_reads_as_one_sentence() {
        let out = text(&default_info());
        assert!(
            out.starts_with(
                "Model: Async communications maturity model (async-communications@1.1.0, a wording revision of 1.0.0), \
                 based on \"Rethinking async communications: Maturity model\" by Allison Matlack \
                 (https://github.com/amatlack/rethinking-async-communications/blob/main/maturity-model.md), \
                 itself adapted from \"How GitHub Engineering Communicates\" (https://github.com/github/how-engineering-communicates), \
                 licensed CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/). Changes: "
            ),
            "{out}"
        );
    }

    #[test]
    fn a_model_recorded_earlier_keeps_its_own_credit() {
        let out = text(&old_info());
        assert!(out.contains("(async-communications@1.0.0)"), "{out}");
        assert!(!out.contains("wording revision"), "{out}");
        assert!(out.contains("by Rethinking async communications contributors"), "{out}");
        assert!(out.contains("Changes: The model's statements were restated"), "{out}");
    }

    #[test]
    fn hostile_custom_credit_is_escaped_and_not_linked() {
        let mut info = default_info();
        info.source_author = "<script>x</script> *bold*".to_string();
        info.source_url = "javascript:alert(1)".to_string();
        info.source_adapted_from_url = Some("file:///etc/passwd".to_string());
        let html = html(&info);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("href=\"file"), "{html}");
        let md = markdown(&info);
        assert!(md.contains("\\<script\\>"), "{md}");
        assert!(!md.contains("](<javascript"), "{md}");
    }

    #[test]
    fn footer_lists_each_recorded_model() {
        let footer = html_footer(&[old_info(), default_info()]);
        assert_eq!(footer.matches("<p>Model: ").count(), 2, "{footer}");
        assert!(footer.find("@1.0.0").expect("old") < footer.find("@1.1.0").expect("new"));
        assert_eq!(html_footer(&[]), "<p>Made with asyncmm.</p>");
    }
}
