//! SVG charts drawn by our own code: a radar of the areas' scores, a trend
//! line per area across assessments, and the org heat map (teams × areas).
//!
//! Every chart is a pure function returning one standalone SVG document with
//! a `<title>`, a `<desc>` text alternative that states the numbers, axis
//! labels and a legend. Series differ by colour (Okabe–Ito palette, safe for
//! colour-blind readers) *and* by dash pattern and marker shape, so nothing
//! depends on colour alone. Hidden cells carry no numbers at all.
//!
//! Escaping: every text a chart embeds — team, group and area names, series
//! labels, the `<title>` and `<desc>`, the legend — goes through [`escape`],
//! this module's one escape helper, at the point it is written; everything
//! else written is numbers and this module's own constants. The HTML pages
//! ([`crate::html`]) rely on it: a chart is the one value their templates
//! insert unescaped, so a chart must never carry unescaped text.

use std::fmt::Write as _;

use crate::data::{AssessmentReport, HistoryEntryReport, HistoryReport};
use crate::team::{AreaName, OrgCell, OrgReport};

/// Okabe–Ito colours, in the order series use them.
const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000",
];
/// Dash patterns paired with the palette ("" is a solid line).
const DASHES: [&str; 7] = ["", "7 4", "2 3", "8 3 2 3", "12 4", "4 2", "1 5"];
/// Level fills of the heat map: one hue (ColorBrewer "Oranges"), darkest
/// at level 0, so the weakest cells draw the eye; lightness alone orders
/// the levels, so the scale reads the same in greyscale and for every kind
/// of colour blindness. Each cell also prints its level.
pub const LEVEL_FILL: [&str; 4] = ["#7f2704", "#d94801", "#fdae6b", "#fff5eb"];
pub const LEVEL_TEXT: [&str; 4] = ["#ffffff", "#ffffff", "#000000", "#000000"];
/// The border of a split cell: blue against the oranges, and dashed, so it
/// shows without colour too.
const SPLIT_STROKE: &str = "#0072B2";

const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\"";

/// Escapes text for XML content and attribute values: the one place a
/// chart's text is escaped (see the module doc).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Shortens a label to `max` characters so long team names can't push the
/// chart out of its frame; the full name stays in the `<desc>`.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

fn open(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" {FONT} font-size=\"13\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>",
        escape(title),
        escape(desc)
    );
}

/// A marker shape per series index, centred on (x, y).
fn marker(out: &mut String, index: usize, x: f64, y: f64, colour: &str) {
    match index % 5 {
        0 => {
            let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{colour}\"/>");
        }
        1 => {
            let _ = write!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"{colour}\"/>",
                x - 4.0,
                y - 4.0
            );
        }
        2 => {
            let _ = write!(
                out,
                "<path d=\"M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z\" fill=\"{colour}\"/>",
                y - 5.0,
                x + 5.0,
                y + 4.0,
                x - 5.0,
                y + 4.0
            );
        }
        3 => {
            let _ = write!(
                out,
                "<path d=\"M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z\" fill=\"{colour}\"/>",
                y - 5.0,
                x + 5.0,
                y + 5.0,
                x - 5.0
            );
        }
        _ => {
            let _ = write!(
                out,
                "<path d=\"M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>",
                x - 4.0,
                y - 4.0,
                x + 4.0,
                y + 4.0,
                x - 4.0,
                y + 4.0,
                x + 4.0,
                y - 4.0
            );
        }
    }
}

fn dash_attr(index: usize) -> String {
    let dash = DASHES[index % DASHES.len()];
    if dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{dash}\"")
    }
}

/// Characters per line of a legend label: what fits a 210 px legend slot
/// beside its sample line at the charts' 13 px font.
const LEGEND_CHARS: usize = 24;

/// Line height of a wrapped legend label.
const LEGEND_LINE: f64 = 16.0;

/// A legend label broken into lines: never cut, however long.
fn legend_lines(label: &str) -> Vec<String> {
    wrap_words(label, LEGEND_CHARS)
}

/// One legend entry: a short line in the series' dash with its marker, and
/// the label wrapped onto as many lines as it needs (the full name is also
/// the entry's tooltip).
fn legend_entry(out: &mut String, index: usize, x: f64, y: f64, label: &str) {
    let colour = PALETTE[index % PALETTE.len()];
    let _ = write!(out, "<g class=\"legend\"><title>{}</title>", escape(label));
    let _ = write!(
        out,
        "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
        x + 28.0,
        dash_attr(index)
    );
    marker(out, index, x + 14.0, y, colour);
    let _ = write!(out, "<text x=\"{:.1}\" y=\"{:.1}\">", x + 34.0, y + 4.0);
    for (k, line) in legend_lines(label).iter().enumerate() {
        let dy = if k == 0 { 0.0 } else { LEGEND_LINE };
        let _ = write!(out, "<tspan x=\"{:.1}\" dy=\"{dy}\">{}</tspan>", x + 34.0, escape(line));
    }
    out.push_str("</text></g>");
}

/// Breaks a name into lines of at most `width` characters, at spaces where
/// it can and inside a word only when the word alone is longer: a name is
/// never cut short, however long.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        if !line.is_empty() && line.chars().count() + 1 + word.len() <= width {
            line.push(' ');
            line.extend(word.iter());
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        line = word.into_iter().collect();
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// One series of values per area id; areas without a value are skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<(String, f64)>,
}

impl Series {
    fn value(&self, area: &str) -> Option<f64> {
        self.values.iter().find(|(id, _)| id == area).map(|(_, v)| *v)
    }
}

/// A spoke's whisker: the points of q1 and q3.
type Whisker = ((f64, f64), (f64, f64));

/// The spread of a round drawn on a radar: per area the middle half of the
/// team's scores (first to third quartile).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub label: String,
    /// (area id, q1, q3).
    pub values: Vec<(String, f64, f64)>,
}

/// Radar (spider) chart of scores 0–3, one spoke per area. The first series
/// is drawn filled (the current result); later ones as outlines (previous,
/// target). A series missing an area leaves a gap in its outline. A `band`
/// (a round's middle half per area) is drawn as a shaded ring behind the
/// first series, with a whisker on each spoke.
pub fn radar(title: &str, areas: &[AreaName], series: &[Series]) -> String {
    radar_with_band(title, areas, series, None)
}

pub fn radar_with_band(title: &str, areas: &[AreaName], series: &[Series], band: Option<&Band>) -> String {
    // Room around the web for two-line area labels on every side, and
    // below it for the legend's longest label.
    let legend_extra = series
        .iter()
        .map(|s| legend_lines(&s.label).len().saturating_sub(1))
        .max()
        .unwrap_or(0);
    let (width, height) = (640u32, 440u32 + (LEGEND_LINE as u32) * legend_extra as u32);
    let (cx, cy, radius) = (320.0f64, 222.0f64, 140.0f64);
    let mut desc = format!("Radar chart of scores from 0 to 3 for {} areas.", areas.len());
    for s in series {
        let _ = write!(desc, " {}:", s.label);
        for a in areas {
            match s.value(&a.id) {
                Some(v) => {
                    let _ = write!(desc, " {} {v:.2};", a.name);
                }
                None => {
                    let _ = write!(desc, " {} not assessed;", a.name);
                }
            }
        }
    }
    if let Some(band) = band {
        let _ = write!(desc, " {} (middle half of the team):", band.label);
        for (id, q1, q3) in &band.values {
            let name = areas
                .iter()
                .find(|a| &a.id == id)
                .map_or(id.as_str(), |a| a.name.as_str());
            let _ = write!(desc, " {name} {q1:.2}–{q3:.2};");
        }
    }
    let mut out = String::new();
    open(&mut out, "radar", width, height, title, &desc);
    let _ = write!(
        out,
        "<text x=\"{cx}\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"600\">{}</text>",
        escape(title)
    );
    let n = areas.len().max(1);
    let angle = |i: usize| -std::f64::consts::FRAC_PI_2 + (i as f64) * std::f64::consts::TAU / n as f64;
    let point = |i: usize, v: f64| {
        let r = radius * v.clamp(0.0, 3.0) / 3.0;
        (cx + r * angle(i).cos(), cy + r * angle(i).sin())
    };
    // Grid rings at each level, labelled on the upward spoke (the axis).
    for level in 1..=3 {
        let ring: Vec<String> = (0..n)
            .map(|i| {
                let (x, y) = point(i, f64::from(level));
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            out,
            "<polygon points=\"{}\" fill=\"none\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>",
            ring.join(" ")
        );
        let (_, y) = point(0, f64::from(level));
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#555555\">{level}</text>",
            cx + 4.0,
            y + 12.0
        );
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#555555\">0</text>",
        cx + 4.0,
        cy + 12.0
    );
    for (i, area) in areas.iter().enumerate() {
        let (x, y) = point(i, 3.0);
        let _ = write!(
            out,
            "<line x1=\"{cx}\" y1=\"{cy}\" x2=\"{x:.1}\" y2=\"{y:.1}\" stroke=\"#bbbbbb\"/>"
        );
        let (lx, ly) = point(i, 3.3);
        let anchor = if (lx - cx).abs() < 10.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let split = band.is_some_and(|b| b.values.iter().any(|(id, q1, q3)| id == &area.id && q3 - q1 >= 1.0));
        let mut lines = wrap_words(&area.name, 16);
        if split {
            // The drawn point is a median between camps: say so where the
            // level is read.
            lines.push("! split".to_string());
        }
        // Labels above the centre grow upwards, the others downwards, so
        // no label runs into the web.
        let first_y = if ly < cy - 10.0 {
            ly - 16.0 * (lines.len() as f64 - 1.0)
        } else {
            ly + 8.0
        };
        let _ = write!(
            out,
            "<text x=\"{lx:.1}\" y=\"{first_y:.1}\" text-anchor=\"{anchor}\" font-weight=\"600\">"
        );
        for (k, line) in lines.iter().enumerate() {
            let dy = if k == 0 { 0 } else { 16 };
            let _ = write!(out, "<tspan x=\"{lx:.1}\" dy=\"{dy}\">{}</tspan>", escape(line));
        }
        out.push_str("</text>");
    }
    if let Some(band) = band {
        let spread = |i: usize, a: &AreaName| {
            band.values
                .iter()
                .find(|(id, _, _)| id == &a.id)
                .map(|(_, q1, q3)| (point(i, *q1), point(i, *q3)))
        };
        let ends: Vec<Option<Whisker>> = areas.iter().enumerate().map(|(i, a)| spread(i, a)).collect();
        if let Some(all) = ends
            .iter()
            .copied()
            .collect::<Option<Vec<_>>>()
            .filter(|v| !v.is_empty())
        {
            // Outer ring (q3) and inner ring (q1) in one path: even-odd fill
            // shades only the band between them.
            let ring = |pick: &dyn Fn(&Whisker) -> (f64, f64)| {
                let pts: Vec<String> = all
                    .iter()
                    .map(|e| {
                        let (x, y) = pick(e);
                        format!("{x:.1} {y:.1}")
                    })
                    .collect();
                format!("M{}Z", pts.join(" L"))
            };
            let _ = write!(
                out,
                "<path class=\"band\" d=\"{} {}\" fill=\"{}\" fill-opacity=\"0.18\" fill-rule=\"evenodd\" stroke=\"none\"/>",
                ring(&|e| e.1),
                ring(&|e| e.0),
                PALETTE[0]
            );
        }
        for ((x1, y1), (x2, y2)) in ends.into_iter().flatten() {
            let _ = write!(
                out,
                "<line class=\"whisker\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{}\" stroke-width=\"5\" stroke-opacity=\"0.45\" stroke-linecap=\"round\"/>",
                PALETTE[0]
            );
        }
    }
    // Draw later series first so the current one sits on top.
    for (index, s) in series.iter().enumerate().rev() {
        let colour = PALETTE[index % PALETTE.len()];
        let points: Vec<Option<(f64, f64)>> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| s.value(&a.id).map(|v| point(i, v)))
            .collect();
        let complete: Option<Vec<(f64, f64)>> = points.iter().copied().collect();
        let fill = if index == 0 {
            format!("fill=\"{colour}\" fill-opacity=\"0.15\"")
        } else {
            "fill=\"none\"".to_string()
        };
        match complete {
            Some(pts) if !pts.is_empty() => {
                let text: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                let _ = write!(
                    out,
                    "<polygon points=\"{}\" {fill} stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
                    text.join(" "),
                    dash_attr(index)
                );
            }
            _ => {
                // Some areas not assessed: connect only neighbours that both have values.
                for i in 0..points.len() {
                    let j = (i + 1) % points.len();
                    if let (Some((x1, y1)), Some((x2, y2))) = (points[i], points[j])
                        && i != j
                    {
                        let _ = write!(
                            out,
                            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
                            dash_attr(index)
                        );
                    }
                }
            }
        }
        for (x, y) in points.into_iter().flatten() {
            marker(&mut out, index, x, y, colour);
        }
    }
    let legend_y = f64::from(height) - 20.0 - LEGEND_LINE * legend_extra as f64;
    let slot = 210.0;
    let start = (f64::from(width) - slot * series.len() as f64) / 2.0 + 10.0;
    for (index, s) in series.iter().enumerate() {
        legend_entry(
            &mut out,
            index,
            start.max(8.0) + slot * index as f64,
            legend_y,
            &s.label,
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The report's scores as a series.
pub fn report_series(report: &AssessmentReport, label: &str) -> Series {
    Series {
        label: label.to_string(),
        values: report
            .areas
            .iter()
            .filter_map(|a| a.score.map(|s| (a.id.clone(), s)))
            .collect(),
    }
}

/// A history entry's scores (a round's medians) as a series.
fn entry_series(entry: &HistoryEntryReport, label: String) -> Series {
    Series {
        label,
        values: entry
            .areas
            .iter()
            .filter_map(|a| a.score.map(|s| (a.id.clone(), s)))
            .collect(),
    }
}

fn entry_band(entry: &HistoryEntryReport) -> Option<Band> {
    let values: Vec<(String, f64, f64)> = entry
        .areas
        .iter()
        .filter_map(|a| Some((a.id.clone(), a.q1?, a.q3?)))
        .collect();
    (!values.is_empty()).then(|| Band {
        label: format!("{} middle half", entry.source.label),
        values,
    })
}

fn entry_label(entry: &HistoryEntryReport) -> String {
    if entry.is_round() {
        format!("{} median ({})", entry.source.label, entry.source.date)
    } else {
        format!("{} ({})", entry.source.label, entry.source.date)
    }
}

/// The entry a history compares `entry` with, if any.
fn compared_entry<'h>(history: &'h HistoryReport, entry: &HistoryEntryReport) -> Option<&'h HistoryEntryReport> {
    let label = entry.compared_with.as_ref()?;
    history.entries.iter().find(|e| &e.source.label == label)
}

/// Radar of a self-assessment: it vs the previous comparable one in
/// `history` (if any) vs a `target` (area id, score) series (if any, e.g.
/// plan goals).
pub fn report_radar(
    report: &AssessmentReport,
    history: Option<&HistoryReport>,
    target: Option<&[(String, f64)]>,
) -> String {
    let areas: Vec<AreaName> = report
        .areas
        .iter()
        .map(|a| AreaName {
            id: a.id.clone(),
            name: a.name.clone(),
        })
        .collect();
    let mut series = vec![report_series(
        report,
        &format!("current ({})", report.assessment.date()),
    )];
    let previous = history.and_then(|h| {
        let entry = h
            .entries
            .iter()
            .find(|e| !e.is_round() && e.source.id == report.assessment.id)?;
        compared_entry(h, entry)
    });
    if let Some(previous) = previous {
        series.push(entry_series(previous, format!("previous: {}", entry_label(previous))));
    }
    if let Some(target) = target {
        series.push(Series {
            label: "target".to_string(),
            values: target.to_vec(),
        });
    }
    radar(
        &format!("{} — scores per area", report.assessment.team),
        &areas,
        &series,
    )
}

/// The entry a team's charts treat as "now": its newest round, else its
/// newest self-assessment (the rule of the application layer's record).
pub fn current_entry(history: &HistoryReport) -> Option<&HistoryEntryReport> {
    history
        .entries
        .iter()
        .rev()
        .find(|e| e.is_round())
        .or_else(|| history.entries.last())
}

/// Radar of a team's current result from its history: a round's medians
/// with the middle half of the team shaded, vs the previous comparable
/// result, vs the goals' targets.
pub fn history_radar(history: &HistoryReport, target: Option<&[(String, f64)]>) -> String {
    let Some(current) = current_entry(history) else {
        return radar(&format!("{} — no results yet", history.team), &[], &[]);
    };
    let areas: Vec<AreaName> = current
        .areas
        .iter()
        .map(|a| AreaName {
            id: a.id.clone(),
            name: a.name.clone(),
        })
        .collect();
    let mut series = vec![entry_series(current, format!("now: {}", entry_label(current)))];
    if let Some(previous) = compared_entry(history, current) {
        series.push(entry_series(previous, format!("before: {}", entry_label(previous))));
    }
    if let Some(target) = target.filter(|t| !t.is_empty()) {
        series.push(Series {
            label: "target".to_string(),
            values: target.to_vec(),
        });
    }
    let band = entry_band(current);
    let what = if current.is_round() {
        "median score per area"
    } else {
        "score per area"
    };
    radar_with_band(&format!("{} — {what}", history.team), &areas, &series, band.as_ref())
}

/// One line of a trend chart: a value per point in time (a gap where
/// missing), and optionally a spread (q1, q3) per point.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendSeries {
    pub label: String,
    pub values: Vec<Option<f64>>,
    pub spread: Vec<Option<(f64, f64)>>,
}

/// Trend chart: one line per series over `x_labels` (dates or rounds),
/// y = score 0–3 with the level bands shaded and named. Lines don't cross a
/// `break` (an index of `x_labels` where the instrument changed; marked with
/// a dashed rule and its reason), and a series' spread is drawn as whiskers.
pub fn trend(
    title: &str,
    x_labels: &[String],
    series: &[TrendSeries],
    level_names: &[String; 4],
    breaks: &[(usize, String)],
    x_title: &str,
) -> String {
    let (width, left, right, top) = (720u32, 96.0f64, 24.0f64, 44.0f64);
    let plot_h = 260.0f64;
    // Three legend entries a row; a row is as tall as its longest label.
    let row_heights: Vec<f64> = series
        .chunks(3)
        .map(|row| {
            let lines = row.iter().map(|s| legend_lines(&s.label).len()).max().unwrap_or(1);
            22.0 + LEGEND_LINE * (lines.saturating_sub(1)) as f64
        })
        .collect();
    let height = (top + plot_h + 60.0 + row_heights.iter().sum::<f64>()) as u32;
    let plot_w = f64::from(width) - left - right;
    let y_of = |v: f64| top + plot_h * (1.0 - v.clamp(0.0, 3.0) / 3.0);
    let n = x_labels.len();
    let x_of = |i: usize| {
        if n <= 1 {
            left + plot_w / 2.0
        } else {
            left + 20.0 + (plot_w - 40.0) * i as f64 / (n - 1) as f64
        }
    };
    let mut desc = format!("Line chart of scores from 0 to 3 across {n} points in time.");
    for s in series {
        let _ = write!(desc, " {}:", s.label);
        for (i, (x, v)) in x_labels.iter().zip(&s.values).enumerate() {
            match (v, s.spread.get(i).copied().flatten()) {
                (Some(v), Some((q1, q3))) => {
                    let _ = write!(desc, " {x} {v:.2} (middle half {q1:.2}–{q3:.2});");
                }
                (Some(v), None) => {
                    let _ = write!(desc, " {x} {v:.2};");
                }
                (None, _) => {
                    let _ = write!(desc, " {x} none;");
                }
            }
        }
    }
    for (at, why) in breaks {
        if let Some(x) = x_labels.get(*at) {
            let _ = write!(desc, " Not compared across {x}: {why}.");
        }
    }
    let mut out = String::new();
    open(&mut out, "trend", width, height, title, &desc);
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"600\">{}</text>",
        width / 2,
        escape(title)
    );
    // Level bands: level ℓ covers scores ℓ−½ … ℓ+½ (the score stays within
    // half a level of the level), alternately shaded.
    for (level, name) in level_names.iter().enumerate() {
        let lo = (level as f64 - 0.5).max(0.0);
        let hi = (level as f64 + 0.5).min(3.0);
        let (y1, y2) = (y_of(hi), y_of(lo));
        let shade = if level % 2 == 0 { "#f2f2f2" } else { "#ffffff" };
        let _ = write!(
            out,
            "<rect x=\"{left}\" y=\"{y1:.1}\" width=\"{plot_w:.1}\" height=\"{:.1}\" fill=\"{shade}\"/>",
            y2 - y1
        );
        // The name wraps (never cut) and is centred on its band.
        let lines = wrap_words(&format!("{level} {name}"), 13);
        let first = (y1 + y2) / 2.0 + 4.0 - 6.5 * (lines.len() as f64 - 1.0);
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{first:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#444444\">",
            left - 8.0
        );
        for (k, line) in lines.iter().enumerate() {
            let dy = if k == 0 { 0 } else { 13 };
            let _ = write!(
                out,
                "<tspan x=\"{:.1}\" dy=\"{dy}\">{}</tspan>",
                left - 8.0,
                escape(line)
            );
        }
        out.push_str("</text>");
    }
    for v in 0..=3 {
        let y = y_of(f64::from(v));
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#cccccc\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#777777\">{v}</text>",
            left + plot_w,
            left + plot_w + 4.0,
            y + 3.0
        );
    }
    let _ = write!(
        out,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{plot_w:.1}\" height=\"{plot_h}\" fill=\"none\" stroke=\"#888888\"/>"
    );
    // Axis titles.
    let _ = write!(
        out,
        "<text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">score (level)</text>",
        top + plot_h / 2.0
    );
    // Label at most ~8 ticks so dates never overlap.
    let step = n.div_ceil(8).max(1);
    for (i, label) in x_labels.iter().enumerate() {
        let x = x_of(i);
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#888888\"/>",
            top + plot_h,
            top + plot_h + 4.0
        );
        if i % step == 0 || i + 1 == n {
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
                top + plot_h + 17.0,
                escape(&clip(label, 12))
            );
        }
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{}</text>",
        left + plot_w / 2.0,
        top + plot_h + 34.0,
        escape(x_title)
    );
    for (at, why) in breaks {
        if *at == 0 || *at >= n {
            continue;
        }
        let x = (x_of(*at - 1) + x_of(*at)) / 2.0;
        let _ = write!(
            out,
            "<line class=\"break\" x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#555555\" stroke-dasharray=\"3 3\"><title>{}</title></line>",
            top + plot_h,
            escape(why)
        );
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#555555\">{}</text>",
            x + 3.0,
            top + 11.0,
            escape(&clip(why, 22))
        );
    }
    let broken: Vec<usize> = breaks.iter().map(|(at, _)| *at).collect();
    for (index, s) in series.iter().enumerate() {
        let colour = PALETTE[index % PALETTE.len()];
        for (i, spread) in s.spread.iter().enumerate() {
            if let Some((q1, q3)) = spread {
                let x = x_of(i) + (index as f64 - series.len() as f64 / 2.0) * 3.0;
                let _ = write!(
                    out,
                    "<line class=\"whisker\" x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"3\" stroke-opacity=\"0.4\"/>",
                    y_of(*q1),
                    y_of(*q3)
                );
            }
        }
        // Lines break where a value is missing or the instrument changed
        // rather than bridging the gap.
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            if broken.contains(&i) {
                pen_down = false;
            }
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(i),
                        y_of(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                out,
                "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\"{}/>",
                path.trim_end(),
                dash_attr(index)
            );
        }
        for (i, v) in s.values.iter().enumerate() {
            if let Some(v) = v {
                marker(&mut out, index, x_of(i), y_of(*v), colour);
            }
        }
    }
    let legend_top = top + plot_h + 56.0;
    for (index, TrendSeries { label, .. }) in series.iter().enumerate() {
        let col = (index % 3) as f64;
        let above: f64 = row_heights.iter().take(index / 3).sum();
        legend_entry(&mut out, index, left + col * 210.0, legend_top + above, label);
    }
    out.push_str("</svg>\n");
    out
}

/// Trend of a team's history: one line per area, x = results over time.
/// A team with rounds is drawn from its rounds (medians, with the middle
/// half as whiskers); its self-assessments, one person's view, are left to
/// the table. A team with only self-assessments is drawn from those.
/// Lines break where the questionnaire or the mode changed.
pub fn history_trend(report: &HistoryReport) -> String {
    let rounds = report.entries.iter().any(HistoryEntryReport::is_round);
    let entries: Vec<&HistoryEntryReport> = report.entries.iter().filter(|e| e.is_round() == rounds).collect();
    let x_labels: Vec<String> = entries.iter().map(|e| e.source.date.clone()).collect();
    // Areas in the order they first appear (models may add areas later).
    let mut areas: Vec<(String, String)> = Vec::new();
    // The default model's names until the data names a level itself (a
    // custom model's names replace them for every level it reached).
    let mut level_names = ["Unaware", "Initial", "Defined", "Optimizing"].map(String::from);
    for entry in &entries {
        for area in &entry.areas {
            if !areas.iter().any(|(id, _)| id == &area.id) {
                areas.push((area.id.clone(), area.name.clone()));
            }
            if let Some(level) = &area.level
                && let Some(slot) = level_names.get_mut(usize::from(level.level))
            {
                *slot = level.name.clone();
            }
        }
    }
    let series: Vec<TrendSeries> = areas
        .iter()
        .map(|(id, name)| {
            let cell = |e: &&HistoryEntryReport| e.areas.iter().find(|a| &a.id == id).cloned();
            TrendSeries {
                label: name.clone(),
                values: entries.iter().map(|e| cell(e).and_then(|a| a.score)).collect(),
                spread: entries
                    .iter()
                    .map(|e| cell(e).and_then(|a| Some((a.q1?, a.q3?))))
                    .collect(),
            }
        })
        .collect();
    let breaks: Vec<(usize, String)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let why = match e.break_? {
                asyncmm_core::history::Break::ModelChanged => "new questionnaire",
                asyncmm_core::history::Break::ModeChanged => format_mode_change(&entries, i),
            };
            Some((i, why.to_string()))
        })
        .collect();
    let (title, x_title) = if rounds {
        (
            format!("{} — team median per area, round by round", report.team),
            "closed round (whiskers: middle half of the team)",
        )
    } else {
        (
            format!("{} — self-assessed score per area", report.team),
            "self-assessment",
        )
    };
    trend(&title, &x_labels, &series, &level_names, &breaks, x_title)
}

/// "quick → detailed" for an entry whose mode differs from the one before.
fn format_mode_change(entries: &[&HistoryEntryReport], at: usize) -> &'static str {
    match entries.get(at).map(|e| e.mode) {
        Some(asyncmm_core::Mode::Detailed) => "quick → detailed mode",
        _ => "detailed → quick mode",
    }
}

/// What one heat-map cell shows.
enum CellView<'a> {
    Missing,
    Hidden,
    Shown(&'a OrgCell),
}

fn cell_view<'a>(row_hidden: bool, cell: Option<&'a OrgCell>) -> CellView<'a> {
    match cell {
        _ if row_hidden => CellView::Hidden,
        None => CellView::Missing,
        Some(c) if c.hidden.is_some() => CellView::Hidden,
        Some(c) if c.level.is_none() => CellView::Missing,
        Some(c) => CellView::Shown(c),
    }
}

/// Org heat map: one row per team (its latest round), one column per area,
/// coloured by level; hidden cells are hatched with "n<k" and no numbers;
/// disagreement (IQR ≥ 1) is marked with "!" and a heavy border.
pub fn org_heatmap(report: &OrgReport) -> String {
    // Names wrap instead of being cut: team names onto lines of 28
    // characters (the row grows), area names onto lines of 14 (the header
    // grows).
    const TEAM_CHARS: usize = 28;
    const AREA_CHARS: usize = 14;
    const LINE: f64 = 15.0;
    let team_lines: Vec<Vec<String>> = report.teams.iter().map(|t| wrap_words(&t.team, TEAM_CHARS)).collect();
    let area_lines: Vec<Vec<String>> = report.areas.iter().map(|a| wrap_words(&a.name, AREA_CHARS)).collect();
    let name_w = team_lines
        .iter()
        .flatten()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(4)
        .max(4) as f64
        * 8.5
        + 24.0;
    let header_lines = area_lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let (cell_w, min_cell_h) = (136.0f64, 34.0f64);
    let top = 48.0 + LINE * header_lines as f64;
    let row_h: Vec<f64> = team_lines
        .iter()
        .map(|l| min_cell_h.max(LINE * l.len() as f64 + 8.0))
        .collect();
    let row_y: Vec<f64> = row_h
        .iter()
        .scan(top, |y, h| {
            let at = *y;
            *y += h;
            Some(at)
        })
        .collect();
    let rows_h: f64 = if row_h.is_empty() {
        min_cell_h
    } else {
        row_h.iter().sum()
    };
    let cols = report.areas.len();
    let rows = report.teams.len();
    let width = (name_w + cell_w * cols as f64 + 16.0).max(560.0);
    let height = top + rows_h + 96.0;
    let mut desc = format!(
        "Heat map of {rows} teams by {cols} areas, latest round of each team, coloured by level 0 to 3 \
         (darkest = level 0, the weakest). Hatched cells are hidden because fewer than k people answered; \
         ! split marks a team that disagrees, whose level is not settled."
    );
    for row in &report.teams {
        let _ = write!(desc, " {}:", row.team);
        for area in &report.areas {
            let cell = row.cells.iter().find(|c| c.area == area.id);
            match cell_view(row.hidden.is_some(), cell) {
                CellView::Missing => {
                    let _ = write!(desc, " {} none;", area.name);
                }
                CellView::Hidden => {
                    let _ = write!(desc, " {} hidden;", area.name);
                }
                CellView::Shown(c) => {
                    let _ = write!(
                        desc,
                        " {} level {}{};",
                        area.name,
                        c.level.unwrap_or_default(),
                        if c.disagreement { " split (disagreement)" } else { "" }
                    );
                }
            }
        }
    }
    let mut out = String::new();
    let title = "Organisation — level per team and area";
    open(&mut out, "heatmap", width as u32, height as u32, title, &desc);
    out.push_str(
        "<defs><pattern id=\"heatmap-hatch\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\" \
         patternTransform=\"rotate(45)\"><rect width=\"8\" height=\"8\" fill=\"#ffffff\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#999999\" stroke-width=\"3\"/></pattern></defs>",
    );
    let _ = write!(
        out,
        "<text x=\"12\" y=\"24\" font-size=\"16\" font-weight=\"600\">{title}</text>\
         <text x=\"12\" y=\"{:.1}\" font-size=\"12\" font-weight=\"600\">team</text>",
        top - 10.0
    );
    for (j, lines) in area_lines.iter().enumerate() {
        let x = name_w + cell_w * j as f64 + cell_w / 2.0;
        // Bottom-aligned: the last line sits just above the cells.
        for (k, line) in lines.iter().enumerate() {
            let y = top - 10.0 - LINE * (lines.len() - 1 - k) as f64;
            let _ = write!(
                out,
                "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"600\">{}</text>",
                escape(line)
            );
        }
    }
    for (i, row) in report.teams.iter().enumerate() {
        let (y, cell_h) = (row_y[i], row_h[i]);
        let lines = &team_lines[i];
        let first = y + cell_h / 2.0 + 4.0 - LINE * (lines.len() as f64 - 1.0) / 2.0;
        for (k, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"12\" y=\"{:.1}\">{}</text>",
                first + LINE * k as f64,
                escape(line)
            );
        }
        for (j, area) in report.areas.iter().enumerate() {
            let x = name_w + cell_w * j as f64;
            let cell = row.cells.iter().find(|c| c.area == area.id);
            let (cx, cy) = (x + cell_w / 2.0, y + cell_h / 2.0 + 4.0);
            match cell_view(row.hidden.is_some(), cell) {
                CellView::Missing => {
                    let _ = write!(
                        out,
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell_w}\" height=\"{cell_h}\" fill=\"#ffffff\" stroke=\"#ffffff\" stroke-width=\"2\"/>\
                         <text x=\"{cx:.1}\" y=\"{cy:.1}\" text-anchor=\"middle\" fill=\"#777777\">–</text>"
                    );
                }
                CellView::Hidden => {
                    let _ = write!(
                        out,
                        "<rect class=\"hidden-cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell_w}\" height=\"{cell_h}\" fill=\"url(#heatmap-hatch)\" stroke=\"#ffffff\" stroke-width=\"2\"/>\
                         <rect x=\"{:.1}\" y=\"{:.1}\" width=\"40\" height=\"18\" fill=\"#ffffff\"/>\
                         <text x=\"{cx:.1}\" y=\"{cy:.1}\" text-anchor=\"middle\" font-style=\"italic\">n&lt;k</text>",
                        cx - 20.0,
                        cy - 13.0
                    );
                }
                CellView::Shown(c) => {
                    let level = usize::from(c.level.unwrap_or_default().min(3));
                    let _ = write!(
                        out,
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell_w}\" height=\"{cell_h}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"2\"/>",
                        LEVEL_FILL[level]
                    );
                    if c.disagreement {
                        let _ = write!(
                            out,
                            "<rect class=\"split\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"{SPLIT_STROKE}\" stroke-width=\"3\" stroke-dasharray=\"5 3\"/>",
                            x + 3.0,
                            y + 3.0,
                            cell_w - 6.0,
                            cell_h - 6.0
                        );
                    }
                    let median = c
                        .median
                        .map_or_else(String::new, |m| format!(" ({})", crate::data::score_text(m)));
                    let mark = if c.disagreement { " ! split" } else { "" };
                    let _ = write!(
                        out,
                        "<text x=\"{cx:.1}\" y=\"{cy:.1}\" text-anchor=\"middle\" fill=\"{}\" font-weight=\"600\">L{level}{median}{mark}</text>",
                        LEVEL_TEXT[level]
                    );
                }
            }
        }
    }
    if rows == 0 {
        let _ = write!(
            out,
            "<text x=\"12\" y=\"{:.1}\" fill=\"#555555\">no team has a round yet</text>",
            top + 20.0
        );
    }
    // Legend: level swatches, the hatch, the disagreement border.
    let ly = top + rows_h + 28.0;
    let mut x = 12.0;
    for (level, fill) in LEVEL_FILL.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"34\" height=\"20\" fill=\"{fill}\" stroke=\"#888888\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{}\">L{level}</text>",
            ly - 14.0,
            x + 17.0,
            ly,
            LEVEL_TEXT[level]
        );
        x += 40.0;
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"12\">level (median score); darkest = weakest</text>",
        x + 2.0
    );
    let ly2 = ly + 30.0;
    let _ = write!(
        out,
        "<rect x=\"12\" y=\"{:.1}\" width=\"34\" height=\"20\" fill=\"url(#heatmap-hatch)\" stroke=\"#888888\"/>\
         <text x=\"52\" y=\"{ly2:.1}\" font-size=\"12\">n&lt;k: hidden to protect anonymity</text>\
         <rect x=\"262\" y=\"{:.1}\" width=\"34\" height=\"20\" fill=\"{}\" stroke=\"{SPLIT_STROKE}\" stroke-width=\"3\" stroke-dasharray=\"5 3\"/>\
         <text x=\"302\" y=\"{ly2:.1}\" font-size=\"12\">! split: the team disagrees (IQR ≥ 1), level not settled</text>",
        ly2 - 14.0,
        ly2 - 14.0,
        LEVEL_FILL[2]
    );
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::{HiddenInfo, OrgTeamRow};
    use asyncmm_core::Mode;
    use asyncmm_core::anonymity::HiddenReason;

    const HOSTILE: &str = "<script>alert('x')</script> & \"Team\"";

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        for tag in ["title", "desc"] {
            let node = root
                .children()
                .find(|n| n.tag_name().name() == tag)
                .unwrap_or_else(|| panic!("<{tag}> present"));
            assert!(!node.text().unwrap_or_default().trim().is_empty(), "<{tag}> has text");
        }
        doc
    }

    fn areas() -> Vec<AreaName> {
        ["documentation", "meetings", "work-tracking"]
            .iter()
            .map(|id| AreaName {
                id: id.to_string(),
                name: format!("{id} area"),
            })
            .collect()
    }

    fn cell(area: &str, level: u8, hidden: bool, disagreement: bool) -> OrgCell {
        OrgCell {
            area: area.to_string(),
            hidden: hidden.then_some(HiddenInfo {
                n: 2,
                k: 5,
                reason: HiddenReason::TooFewResponses,
            }),
            level: (!hidden).then_some(level),
            median: (!hidden).then_some(f64::from(level) + 0.37),
            iqr: (!hidden).then_some(if disagreement { 1.5 } else { 0.5 }),
            disagreement,
        }
    }

    fn org() -> OrgReport {
        let row = |team: &str, cells: Vec<OrgCell>, hidden: Option<HiddenInfo>| OrgTeamRow {
            team: team.to_string(),
            parent: None,
            round: 1,
            opens_on: "2026-11-01".to_string(),
            model: "m@1".to_string(),
            mode: Mode::Quick,
            responses: 7,
            hidden,
            cells,
            open_round: None,
        };
        OrgReport {
            schema: crate::team::ORG_SCHEMA,
            areas: areas(),
            teams: vec![
                row(
                    HOSTILE,
                    vec![
                        cell("documentation", 2, false, true),
                        cell("meetings", 1, true, false),
                        cell("work-tracking", 3, false, false),
                    ],
                    None,
                ),
                row(
                    "Tiny",
                    Vec::new(),
                    Some(HiddenInfo {
                        n: 2,
                        k: 5,
                        reason: HiddenReason::TooFewResponses,
                    }),
                ),
            ],
            rollups: Vec::new(),
            teams_without_rounds: Vec::new(),
            models: Vec::new(),
            levels: ["Unaware", "Initial", "Defined", "Optimizing"]
                .map(String::from)
                .to_vec(),
        }
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(HOSTILE),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Team&quot;"
        );
    }

    #[test]
    fn radar_parses_and_escapes_labels() {
        let series = vec![
            Series {
                label: HOSTILE.to_string(),
                values: vec![("documentation".into(), 2.1), ("meetings".into(), 0.4)],
            },
            Series {
                label: "previous".into(),
                values: vec![
                    ("documentation".into(), 1.0),
                    ("meetings".into(), 1.0),
                    ("work-tracking".into(), 3.0),
                ],
            },
            Series {
                label: "target".into(),
                values: vec![("documentation".into(), 3.0)],
            },
        ];
        let svg = radar(HOSTILE, &areas(), &series);
        let doc = parse(&svg);
        assert!(!svg.contains("<script"));
        let title = doc
            .descendants()
            .find(|n| n.tag_name().name() == "title")
            .and_then(|n| n.text());
        assert_eq!(title, Some(HOSTILE));
        // Three series: three distinct dash styles (solid has none).
        assert!(svg.contains("stroke-dasharray=\"7 4\""));
        assert!(svg.contains("stroke-dasharray=\"2 3\""));
        assert!(svg.contains("work-tracking area not assessed"));
    }

    #[test]
    fn trend_parses_with_gaps_and_one_point() {
        let names = ["Unaware", "Initial", "Defined", "Optimizing"].map(String::from);
        let svg = trend(
            HOSTILE,
            &["2026-01-01".to_string(), "2026-04-01".to_string()],
            &[
                TrendSeries {
                    label: "Docs".to_string(),
                    values: vec![Some(1.0), Some(2.2)],
                    spread: vec![Some((0.5, 1.5)), None],
                },
                TrendSeries {
                    label: HOSTILE.to_string(),
                    values: vec![None, Some(0.5)],
                    spread: vec![None, None],
                },
            ],
            &names,
            &[(1, "quick → detailed mode".to_string())],
            "closed round",
        );
        parse(&svg);
        assert!(svg.contains("Optimizing"));
        assert!(svg.contains("score (level)"));
        assert!(svg.contains("class=\"whisker\""), "the spread is drawn");
        assert!(svg.contains("class=\"break\""), "the change of mode is marked");
        assert!(svg.contains("middle half 0.50–1.50"), "the desc states the spread");
        let single = trend(
            "one",
            &["2026-01-01".to_string()],
            &[TrendSeries {
                label: "Docs".into(),
                values: vec![Some(1.0)],
                spread: vec![None],
            }],
            &names,
            &[],
            "self-assessment",
        );
        parse(&single);
    }

    /// Every `<tspan>` text of the legend entries, one string per entry.
    fn legend_texts(svg: &str) -> Vec<(String, Vec<String>)> {
        let doc = parse(svg);
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("legend"))
            .map(|g| {
                let title = g
                    .children()
                    .find(|n| n.tag_name().name() == "title")
                    .and_then(|n| n.text())
                    .unwrap_or_default()
                    .to_string();
                let lines = g
                    .descendants()
                    .filter(|n| n.tag_name().name() == "tspan")
                    .filter_map(|n| n.text())
                    .map(str::to_string)
                    .collect();
                (title, lines)
            })
            .collect()
    }

    #[test]
    fn legend_names_are_wrapped_never_clipped_at_any_length() {
        let names = ["Unaware", "Initial", "Defined", "Optimizing"].map(String::from);
        for length in [5usize, 22, 23, 24, 25, 60, 200] {
            let long: String = "Decision making and written proposals "
                .repeat(8)
                .chars()
                .take(length)
                .collect();
            let long = long.trim().to_string();
            let series: Vec<TrendSeries> = [long.clone(), "Meetings".to_string(), "x".repeat(length)]
                .into_iter()
                .map(|label| TrendSeries {
                    label,
                    values: vec![Some(1.0), Some(2.0)],
                    spread: vec![None, None],
                })
                .collect();
            let svg = trend("t", &["a".into(), "b".into()], &series, &names, &[], "round");
            let legend = legend_texts(&svg);
            assert_eq!(legend.len(), 3, "{svg}");
            for ((title, lines), s) in legend.iter().zip(&series) {
                assert_eq!(title, &s.label, "the full name is the tooltip");
                let joined: String = lines.join(" ");
                assert_eq!(
                    joined.split_whitespace().collect::<String>(),
                    s.label.split_whitespace().collect::<String>(),
                    "every character is drawn"
                );
                assert!(lines.iter().all(|l| l.chars().count() <= LEGEND_CHARS), "{lines:?}");
                assert!(!joined.contains('…'));
            }
            // The chart grows with the legend, so the last line stays inside.
            let height: f64 = parse(&svg)
                .root_element()
                .attribute("height")
                .and_then(|h| h.parse().ok())
                .expect("height");
            let lines = legend.iter().map(|(_, l)| l.len()).max().unwrap_or(1) as f64;
            assert!(
                height >= 44.0 + 260.0 + 56.0 + LEGEND_LINE * (lines - 1.0) + 4.0,
                "{length}: {height}"
            );

            let radar_svg = radar(
                "r",
                &areas(),
                &[Series {
                    label: long.clone(),
                    values: vec![("documentation".into(), 2.0)],
                }],
            );
            let legend = legend_texts(&radar_svg);
            assert_eq!(
                legend[0].1.join(" ").split_whitespace().collect::<String>(),
                long.split_whitespace().collect::<String>()
            );
        }
    }

    #[test]
    fn heatmap_hides_numbers_of_hidden_cells_and_marks_disagreement() {
        let svg = org_heatmap(&org());
        let doc = parse(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;"));
        // The hostile team: level 2 with disagreement, a hidden cell, level 3.
        assert!(svg.contains("L2 (2.37) ! split"));
        assert!(svg.contains("L3 (3.37)"));
        // Hidden: 1 hidden cell + 3 cells of the hidden team, none with numbers.
        let hidden = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("hidden-cell"))
            .count();
        assert_eq!(hidden, 4);
        assert!(!svg.contains("1.37"), "a hidden cell's median leaked");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "text")
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(texts.iter().filter(|t| **t == "n<k").count(), 4);
    }

    #[test]
    fn heatmap_of_no_teams_still_parses() {
        let mut report = org();
        report.teams.clear();
        parse(&org_heatmap(&report));
    }
}
