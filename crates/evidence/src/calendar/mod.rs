//! The calendar scanner: how much of a team's time meetings take, how much
//! of it is recurring status talk, whether meetings have an agenda, and
//! whether people keep blocks of focus time — from iCalendar files, one per
//! team member (or a team calendar).
//!
//! Each file is read by [`ics`], which keeps whatever events it can and
//! names the line of each it can't. Recurring events are expanded with the
//! `rrule` crate over the window only (so rules that never end cost the
//! window, not forever), minus EXDATEs, plus RDATEs, with RECURRENCE-ID
//! overrides replacing or cancelling single instances.
//!
//! A **meeting** is a timed event with at least one other person on it,
//! not cancelled, not marked free (`TRANSP:TRANSPARENT`) and not declined
//! by the calendar's owner. All-day events and events with no attendees
//! (focus blocks, reminders) are not meetings. Titles and descriptions are
//! read only to classify (status keywords, agenda); neither is kept unless
//! names are asked for on a local run.

pub mod ics;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use time::OffsetDateTime;

use crate::catalog;
use crate::config::EvidenceConfig;
use crate::hours::{WorkingHours, is_weekend};
use crate::metric::{Metric, Note, Scan, SourceKind, Window, WritableMeeting};
use crate::privacy::Privacy;
use crate::progress::Progress;
use ics::{RawEvent, When};

/// The most instances one recurring event may yield in a window: a rule
/// that fires every minute must not stall the scan.
const MAX_INSTANCES: u16 = 5_000;

/// The largest calendar file read.
const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why calendars could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: nothing readable: no event could be read from it{detail}")]
    NothingReadable { path: String, detail: String },
    #[error("no .ics files given or found")]
    NoFiles,
    #[error(
        "no meetings between {since} and {until} in {files} calendar files: nothing to measure; widen the window with --since"
    )]
    NothingInWindow { since: String, until: String, files: usize },
}

/// What a calendar scan needs besides the files.
#[derive(Debug, Clone)]
pub struct CalendarSettings {
    pub window: Window,
    pub config: EvidenceConfig,
    pub working_hours: WorkingHours,
    /// The zone of calendars that name none (and of floating times).
    pub default_zone: Tz,
    pub now: OffsetDateTime,
}

/// What is known about one meeting (all its instances, all calendars).
#[derive(Default)]
struct MeetingInfo {
    attendees: usize,
    agenda: bool,
    recurring: bool,
    status: bool,
    /// Person-seconds in the window, over the calendars it appears in.
    seconds: i64,
    title: String,
}

/// How many meetings that could be written a scan keeps, most person-hours
/// first: enough to plan a quarter's worth of changes.
const MAX_WRITABLE_LISTED: usize = 10;

/// The `.ics` files under the given paths (folders are searched, not
/// followed through symbolic links).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CalendarError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| CalendarError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if !meta.is_dir() {
            out.push(path.clone());
            continue;
        }
        let mut pending = vec![path.clone()];
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| CalendarError::Unreadable {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else { continue };
                let p = entry.path();
                if kind.is_dir() {
                    pending.push(p);
                } else if kind.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("ics")) {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(CalendarError::NoFiles);
    }
    Ok(out)
}

/// Whether a description is an agenda once conferencing boilerplate (join
/// links, dial-ins, passcodes, separators) is stripped.
pub fn has_agenda(description: &str) -> bool {
    const BOILERPLATE: &[&str] = &[
        "zoom.us",
        "meet.google.com",
        "teams.microsoft.com",
        "teams.live.com",
        "webex.com",
        "gotomeeting",
        "whereby.com",
        "join ",
        "join:",
        "join with",
        "join by",
        "join the meeting",
        "join microsoft teams",
        "microsoft teams meeting",
        "meeting id",
        "passcode",
        "password",
        "dial",
        "phone",
        "tel:",
        "pin:",
        "one tap",
        "-::~",
        "invitation from google calendar",
        "learn more about",
        "more options",
        "meeting options",
        "need help",
        "do not edit",
        "video call",
        "conference",
    ];
    let own: usize = description
        .lines()
        .map(str::trim)
        .filter(|l| {
            let lower = l.to_lowercase();
            !BOILERPLATE.iter().any(|b| lower.contains(b))
        })
        .map(|l| l.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    own >= 20
}

fn matches_any(text: &str, words: &[String]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| lower.contains(&w.to_lowercase()))
}

fn end_of(e: &RawEvent, start: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    let explicit = match (e.end.and_then(|w| w.instant(zone)), e.start.instant(zone)) {
        (Some(end), Some(s)) => Some(end - s),
        _ => None,
    };
    let length = explicit
        .or_else(|| e.duration.map(ChronoDuration::seconds))
        .unwrap_or_else(ChronoDuration::zero);
    start + length.max(ChronoDuration::zero())
}

/// Expands a master event over the window: its instants, in order.
fn expand(
    e: &RawEvent,
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Vec<DateTime<Utc>> {
    let Some(start) = e.start.instant(zone) else {
        return Vec::new();
    };
    let Some(rule) = &e.rrule else {
        let mut all = vec![start];
        all.extend(e.rdates.iter().filter_map(|r| r.instant(zone)));
        return all;
    };
    let tz = e.start.zone().unwrap_or(zone);
    let rtz = rrule::Tz::Tz(tz);
    let dtstart = start.with_timezone(&rtz);
    let to_r = |t: &When| t.instant(zone).map(|i| i.with_timezone(&rtz));
    // RFC 5545 wants UNTIL in UTC when DTSTART has a zone; calendars often
    // write it local or as a date. Normalise before the crate validates.
    let rule_text = normalise_until(rule, tz);
    let built = rule_text
        .parse::<rrule::RRule<rrule::Unvalidated>>()
        .and_then(|r| r.build(dtstart));
    let set = match built {
        Ok(set) => set,
        Err(err) => {
            warnings.push(format!(
                "line {}: recurrence rule not understood ({err}); only the first instance is counted",
                e.line
            ));
            return vec![start];
        }
    };
    let set = set
        .set_exdates(e.exdates.iter().filter_map(to_r).collect())
        .set_rdates(e.rdates.iter().filter_map(to_r).collect())
        .after((from - ChronoDuration::seconds(1)).with_timezone(&rtz))
        .before(to.with_timezone(&rtz));
    let result = set.all(MAX_INSTANCES);
    if result.limited && result.dates.len() >= usize::from(MAX_INSTANCES) {
        warnings.push(format!(
            "line {}: recurrence yields more than {MAX_INSTANCES} instances in the window; the rest are not counted",
            e.line
        ));
    }
    result.dates.into_iter().map(|d| d.with_timezone(&Utc)).collect()
}

fn normalise_until(rule: &str, tz: Tz) -> String {
    rule.split(';')
        .map(|part| {
            let Some(value) = part.strip_prefix("UNTIL=") else {
                return part.to_string();
            };
            let when = if value.len() == 8 {
                chrono::NaiveDate::parse_from_str(value, "%Y%m%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(23, 59, 59))
            } else {
                chrono::NaiveDateTime::parse_from_str(value.trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()
            };
            match when {
                Some(local) if !value.ends_with('Z') => {
                    use chrono::TimeZone;
                    tz.from_local_datetime(&local)
                        .earliest()
                        .map(|t| format!("UNTIL={}", t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ")))
                        .unwrap_or_else(|| part.to_string())
                }
                _ => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The instants of a recurring event in the window once EXDATEs are gone:
/// the public face of [`expand`] for tests and tools.
pub fn instances(e: &RawEvent, zone: Tz, window: Window) -> Vec<DateTime<Utc>> {
    let from = DateTime::<Utc>::from_timestamp(window.since.unix_timestamp(), 0).unwrap_or_default();
    let to = DateTime::<Utc>::from_timestamp(window.until.unix_timestamp(), 0).unwrap_or_default();
    let mut warnings = Vec::new();
    expand(e, zone, from, to, &mut warnings)
        .into_iter()
        .filter(|t| *t >= from && *t < to)
        .collect()
}

/// Per calendar owner.
#[derive(Default)]
struct OwnerTally {
    meeting_seconds: i64,
    recurring_seconds: i64,
    status_seconds: i64,
    instances: u64,
    off_hours: u64,
    /// Busy intervals per local working day, minutes after midnight.
    busy: HashMap<NaiveDate, Vec<(u32, u32)>>,
}

/// Reads calendar files and measures them.
pub fn scan_calendars(
    paths: &[PathBuf],
    settings: &CalendarSettings,
    privacy: &Privacy,
    progress: &dyn Progress,
) -> Result<Scan, CalendarError> {
    let files = collect_files(paths)?;
    let w = settings.window;
    let from = DateTime::<Utc>::from_timestamp(w.since.unix_timestamp(), 0).unwrap_or_default();
    let to = DateTime::<Utc>::from_timestamp(w.until.unix_timestamp(), 0).unwrap_or_default();
    let config = &settings.config;
    let hours = settings.working_hours;
    let mut notes = Vec::new();
    let mut meetings: HashMap<String, MeetingInfo> = HashMap::new();
    let mut owners: Vec<(Tz, OwnerTally)> = Vec::new();
    let mut unknown_zones: HashSet<String> = HashSet::new();
    let mut events_read = 0usize;
    progress.stage("reading calendars", Some(files.len() as u64));
    for path in &files {
        progress.advance(1);
        let shown = path.display().to_string();
        let text = read_text(path)?;
        let file = ics::read(&text);
        drop(text);
        if file.events.is_empty() {
            let detail = file.warnings.first().map(|w| format!(" ({w})")).unwrap_or_default();
            return Err(CalendarError::NothingReadable { path: shown, detail });
        }
        events_read += file.events.len();
        unknown_zones.extend(file.unknown_zones.iter().cloned());
        let mut warnings = file.warnings.clone();
        // The owner's zone: the calendar's own, else the zone most events
        // use, else the default.
        let mut zone_votes: HashMap<Tz, usize> = HashMap::new();
        for e in &file.events {
            if let Some(z) = e.start.zone().filter(|z| *z != Tz::UTC) {
                *zone_votes.entry(z).or_insert(0) += 1;
            }
        }
        let zone = file
            .zone
            .or_else(|| {
                zone_votes
                    .into_iter()
                    .max_by_key(|(z, n)| (*n, z.name()))
                    .map(|(z, _)| z)
            })
            .unwrap_or(settings.default_zone);
        // The owner: the calendar's name when it is an address, else the
        // address on the most events.
        let owner = file.owner.clone().or_else(|| {
            let mut votes: HashMap<&str, usize> = HashMap::new();
            for e in &file.events {
                for a in &e.attendees {
                    *votes.entry(a.address.as_str()).or_insert(0) += 1;
                }
                if let Some(o) = &e.organizer {
                    *votes.entry(o.as_str()).or_insert(0) += 1;
                }
            }
            votes
                .into_iter()
                .max_by_key(|(a, n)| (*n, *a))
                .map(|(a, _)| a.to_string())
        });
        let mut tally = OwnerTally::default();

        // Masters and their overrides by UID.
        let mut by_uid: HashMap<&str, (Option<&RawEvent>, Vec<&RawEvent>)> = HashMap::new();
        for e in &file.events {
            let slot = by_uid.entry(e.uid.as_str()).or_default();
            if e.recurrence_id.is_some() {
                slot.1.push(e);
            } else if slot.0.is_none() {
                slot.0 = Some(e);
            }
        }
        let mut uids: Vec<&&str> = by_uid.keys().collect();
        uids.sort();
        for uid in uids {
            let (master, overrides) = &by_uid[*uid];
            let overrides_at: HashMap<DateTime<Utc>, &RawEvent> = overrides
                .iter()
                .filter_map(|o| o.recurrence_id.and_then(|r| r.instant(zone)).map(|t| (t, *o)))
                .collect();
            let mut occurrences: Vec<(&RawEvent, DateTime<Utc>)> = Vec::new();
            let mut used: HashSet<DateTime<Utc>> = HashSet::new();
            if let Some(m) = master {
                for start in expand(m, zone, from, to, &mut warnings) {
                    match overrides_at.get(&start) {
                        Some(o) => {
                            used.insert(start);
                            if let Some(s) = o.start.instant(zone) {
                                occurrences.push((o, s));
                            }
                        }
                        None => occurrences.push((m, start)),
                    }
                }
            }
            // Overrides of instances outside the expansion (moved into the
            // window, or of a master this file lacks) stand on their own.
            for (at, o) in &overrides_at {
                if !used.contains(at)
                    && let Some(s) = o.start.instant(zone)
                {
                    occurrences.push((o, s));
                }
            }
            let recurring = master.is_some_and(|m| m.rrule.is_some() || !m.rdates.is_empty()) || !overrides.is_empty();
            for (e, start) in occurrences {
                if start < from || start >= to || matches!(e.start, When::Day(_)) {
                    continue;
                }
                let people: Vec<&ics::Attendee> = e.attendees.iter().filter(|a| !a.resource).collect();
                let others = people
                    .iter()
                    .filter(|a| Some(a.address.as_str()) != owner.as_deref())
                    .count();
                let declined = people
                    .iter()
                    .any(|a| Some(a.address.as_str()) == owner.as_deref() && a.partstat.as_deref() == Some("DECLINED"));
                if e.cancelled || e.transparent || declined || others == 0 {
                    continue;
                }
                let end = end_of(e, start, zone);
                let seconds = (end - start).num_seconds();
                if seconds <= 0 {
                    continue;
                }
                let attendees = people.len().max(others + 1);
                let status = recurring && matches_any(&e.summary, &config.status_meetings);
                tally.meeting_seconds += seconds;
                tally.instances += 1;
                if recurring {
                    tally.recurring_seconds += seconds;
                }
                if status {
                    tally.status_seconds += seconds;
                }
                let local_start = start.with_timezone(&zone).naive_local();
                let local_end = end.with_timezone(&zone).naive_local();
                let outside = !hours.contains(local_start)
                    || (local_end - ChronoDuration::seconds(1)).date() != local_start.date()
                    || !hours.contains(local_end - ChronoDuration::seconds(1));
                if outside {
                    tally.off_hours += 1;
                }
                if local_end.date() == local_start.date() || local_end.time() == chrono::NaiveTime::MIN {
                    let a = local_start.time().num_seconds_from_midnight() / 60;
                    let b = if local_end.date() == local_start.date() {
                        local_end.time().num_seconds_from_midnight() / 60
                    } else {
                        24 * 60
                    };
                    tally.busy.entry(local_start.date()).or_default().push((a, b));
                } else {
                    // A meeting over midnight blocks the rest of both days.
                    let a = local_start.time().num_seconds_from_midnight() / 60;
                    tally.busy.entry(local_start.date()).or_default().push((a, 24 * 60));
                    let b = local_end.time().num_seconds_from_midnight() / 60;
                    tally.busy.entry(local_end.date()).or_default().push((0, b));
                }
                let info = meetings.entry((*uid).to_string()).or_default();
                info.attendees = info.attendees.max(attendees);
                info.agenda |= has_agenda(&e.description);
                info.recurring |= recurring;
                info.status |= status;
                info.seconds += seconds;
                if info.title.is_empty() {
                    info.title = e.summary.clone();
                }
            }
        }
        if !warnings.is_empty() {
            let mut text = format!("{shown}: {} events could not be read in full:", warnings.len());
            for w in warnings.iter().take(10) {
                text.push_str(&format!("\n    {w}"));
            }
            if warnings.len() > 10 {
                text.push_str(&format!("\n    and {} more", warnings.len() - 10));
            }
            notes.push(Note::warning(text));
        }
        owners.push((zone, tally));
    }
    let total_instances: u64 = owners.iter().map(|(_, t)| t.instances).sum();
    if total_instances == 0 {
        return Err(CalendarError::NothingInWindow {
            since: w.since.date().to_string(),
            until: w.last_day().to_string(),
            files: files.len(),
        });
    }
    notes.insert(
        0,
        Note::info(format!(
            "read {events_read} events from {} calendar files; {total_instances} meeting instances in the window",
            files.len()
        )),
    );
    if !unknown_zones.is_empty() {
        let mut z: Vec<String> = unknown_zones.into_iter().collect();
        z.sort();
        notes.push(Note::warning(format!(
            "unknown time zones read as each calendar's own zone: {}",
            z.join(", ")
        )));
    }
    let metrics = measure(&owners, &meetings, settings, from, to);
    let mut scan_notes = notes;
    // Meetings that could be written: recurring, many people, no agenda.
    let weeks = (to - from).num_seconds() as f64 / (7.0 * 86_400.0);
    let mut writable: Vec<(&String, &MeetingInfo)> = meetings
        .iter()
        .filter(|(_, m)| m.recurring && !m.agenda && m.attendees >= config.writable_min_attendees)
        .collect();
    writable.sort_by(|a, b| b.1.seconds.cmp(&a.1.seconds).then_with(|| a.0.cmp(b.0)));
    let writable_meetings: Vec<WritableMeeting> = writable
        .iter()
        .take(MAX_WRITABLE_LISTED)
        .map(|(key, m)| WritableMeeting {
            id: privacy.pseudonym(key),
            title: privacy.show_names.then(|| m.title.clone()),
            attendees: u32::try_from(m.attendees).unwrap_or(u32::MAX),
            person_hours_per_week: (m.seconds as f64 / 3600.0 / weeks * 10.0).round() / 10.0,
        })
        .collect();
    if !writable_meetings.is_empty() {
        let mut text = format!(
            "meetings that could be written: recurring, at least {} attendees, no agenda; person-hours per week over the calendars read:",
            config.writable_min_attendees
        );
        for meeting in writable_meetings.iter().take(5) {
            text.push_str(&format!(
                "\n    {}: {} attendees, {:.1} person-hours per week",
                meeting.label(),
                meeting.attendees,
                meeting.person_hours_per_week
            ));
        }
        scan_notes.push(Note::info(text));
    }
    Ok(Scan {
        source: SourceKind::Calendar,
        subject: if paths.len() == 1 {
            paths[0].display().to_string()
        } else {
            format!("{} calendar files", files.len())
        },
        window: w,
        scanned_at: settings.now,
        metrics,
        notes: scan_notes,
        people: None,
        writable_meetings,
    })
}

fn read_text(path: &Path) -> Result<String, CalendarError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| CalendarError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CalendarError::Unreadable {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CalendarError::Unreadable {
            path: shown,
            reason: format!("larger than {} MiB", MAX_FILE_BYTES >> 20),
        });
    }
    // Broken encodings lose their broken bytes, not the file.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn spec(id: &str) -> &'static catalog::MetricSpec {
    catalog::spec(id).unwrap_or(&catalog::all()[0])
}

/// Whether a day's busy intervals leave a free block of `block` minutes
/// inside working hours.
fn has_free_block(busy: &mut [(u32, u32)], hours: WorkingHours, block: u32) -> bool {
    busy.sort_unstable();
    let mut free_from = hours.start_minute();
    for (a, b) in busy.iter() {
        let (a, b) = ((*a).max(hours.start_minute()), (*b).min(hours.end_minute()));
        if a >= b {
            continue;
        }
        if a > free_from && a - free_from >= block {
            return true;
        }
        free_from = free_from.max(b);
    }
    hours.end_minute() > free_from && hours.end_minute() - free_from >= block
}

fn measure(
    owners: &[(Tz, OwnerTally)],
    meetings: &HashMap<String, MeetingInfo>,
    settings: &CalendarSettings,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Metric> {
    let w = settings.window;
    let config = &settings.config;
    let people = owners.len() as u64;
    let weeks = (to - from).num_seconds() as f64 / (7.0 * 86_400.0);
    let per_person_week = |seconds: i64| ((seconds as f64 / 3600.0 / (people as f64 * weeks)) * 10.0).round() / 10.0;
    let total: i64 = owners.iter().map(|(_, t)| t.meeting_seconds).sum();
    let recurring: i64 = owners.iter().map(|(_, t)| t.recurring_seconds).sum();
    let status: i64 = owners.iter().map(|(_, t)| t.status_seconds).sum();
    let instances: u64 = owners.iter().map(|(_, t)| t.instances).sum();
    let off: u64 = owners.iter().map(|(_, t)| t.off_hours).sum();
    let mut metrics = vec![
        spec("calendar.people").measured(people as f64, people, w),
        spec("calendar.meeting_hours_per_person_week").measured(per_person_week(total), people, w),
        spec("calendar.recurring_meeting_share").measured(recurring as f64 / total as f64, instances, w),
        {
            let mut m =
                spec("calendar.status_meeting_hours_per_person_week").measured(per_person_week(status), people, w);
            m.heuristic
                .push_str(&format!(" (title words: {})", config.status_meetings.join(", ")));
            m
        },
    ];
    let distinct = meetings.len() as u64;
    let with_agenda = meetings.values().filter(|m| m.agenda).count() as f64;
    metrics.push(spec("calendar.agenda_share").measured(with_agenda / distinct as f64, distinct, w));
    let large = meetings
        .values()
        .filter(|m| m.attendees >= config.large_meeting_attendees)
        .count() as f64;
    let mut m = spec("calendar.large_meeting_share").measured(large / distinct as f64, distinct, w);
    m.heuristic
        .push_str(&format!(" (at least {} attendees)", config.large_meeting_attendees));
    metrics.push(m);

    // Focus: every weekday of the window in each owner's zone.
    let hours = settings.working_hours;
    let mut days = 0u64;
    let mut focus = 0u64;
    for (zone, tally) in owners {
        // The window's dates, each read as a day in the owner's zone.
        let _ = zone;
        let first = from.date_naive();
        let last = (to - ChronoDuration::seconds(1)).date_naive();
        let mut day = first;
        while day <= last {
            let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default();
            if !is_weekend(noon) && day.weekday().num_days_from_monday() < 5 {
                days += 1;
                let mut busy = tally.busy.get(&day).cloned().unwrap_or_default();
                if has_free_block(&mut busy, hours, config.focus_block_minutes) {
                    focus += 1;
                }
            }
            day = day.succ_opt().unwrap_or(last + ChronoDuration::days(1));
        }
    }
    metrics.push(if days == 0 {
        spec("calendar.focus_day_share").no_data("the window holds no weekday", 0, w)
    } else {
        let mut m = spec("calendar.focus_day_share").measured(focus as f64 / days as f64, days, w);
        m.heuristic.push_str(&format!(
            " (a free block of at least {} minutes within {hours})",
            config.focus_block_minutes
        ));
        m
    });
    let mut m = spec("calendar.off_hours_meeting_share").measured(off as f64 / instances as f64, instances, w);
    m.heuristic.push_str(&format!(" (working hours {hours})"));
    metrics.push(m);
    let writable: Vec<&MeetingInfo> = meetings
        .values()
        .filter(|m| m.recurring && !m.agenda && m.attendees >= config.writable_min_attendees)
        .collect();
    metrics.push(spec("calendar.writable_meetings").measured(writable.len() as f64, distinct, w));
    let writable_seconds: i64 = writable.iter().map(|m| m.seconds).sum();
    metrics.push(spec("calendar.writable_meeting_hours_per_person_week").measured(
        per_person_week(writable_seconds),
        people,
        w,
    ));
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agendas_are_what_is_left_without_conferencing_boilerplate() {
        let zoom = "Join Zoom Meeting\nhttps://zoom.us/j/123\nMeeting ID: 123 456\nPasscode: 42\nDial by your location\n    +1 646 558 8656 US";
        assert!(!has_agenda(zoom));
        assert!(has_agenda(&format!(
            "1. Review the launch plan\n2. Decide on pricing\n{zoom}"
        )));
        assert!(!has_agenda(""));
        assert!(!has_agenda(
            "-::~:~::~:~::~-\nJoin with Google Meet: https://meet.google.com/abc"
        ));
    }

    #[test]
    fn free_blocks_sit_between_meetings() {
        let h = WorkingHours::DEFAULT;
        assert!(has_free_block(&mut [], h, 120));
        // 9-10 and 12-17 busy: 10-12 free, exactly two hours.
        assert!(has_free_block(&mut [(720, 1020), (540, 600)], h, 120));
        // 9-10, 11-12, 13-14, 15-16 busy: nothing of two hours.
        assert!(!has_free_block(
            &mut [(540, 600), (660, 720), (780, 840), (900, 960)],
            h,
            120
        ));
        // Busy before nine and after five does not count.
        assert!(has_free_block(&mut [(420, 560), (1000, 1200)], h, 120));
    }
}
