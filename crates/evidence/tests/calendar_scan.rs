//! The calendar scanner over hand-made .ics files with known answers:
//! recurrence with EXDATE, moved and cancelled instances, Windows and IANA
//! zones across a DST change, declined, free, all-day and attendee-less
//! events, folded lines and a broken event; plus property tests.

use std::path::PathBuf;

use asyncmm_core::K;
use asyncmm_evidence::calendar::ics::{self, When};
use asyncmm_evidence::calendar::{CalendarError, CalendarSettings, instances, scan_calendars};
use asyncmm_evidence::config::EvidenceConfig;
use asyncmm_evidence::hours::WorkingHours;
use asyncmm_evidence::privacy::Privacy;
use asyncmm_evidence::{Scan, Silent, Window};
use proptest::prelude::*;
use time::macros::datetime;

const ALICE: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
X-WR-CALNAME:alice@x.org\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:standup-1\r
SUMMARY:Daily standup\r
DTSTART;TZID=Europe/Berlin:20240304T093000\r
DTEND;TZID=Europe/Berlin:20240304T094500\r
RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20240315T235959Z\r
EXDATE;TZID=Europe/Berlin:20240306T093000\r
ORGANIZER:mailto:alice@x.org\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@x.org\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@x.org\r
ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup-1\r
RECURRENCE-ID;TZID=Europe/Berlin:20240307T093000\r
SUMMARY:Daily standup (moved)\r
DTSTART;TZID=Europe/Berlin:20240307T100000\r
DTEND;TZID=Europe/Berlin:20240307T101500\r
ATTENDEE:mailto:alice@x.org\r
ATTENDEE:mailto:bob@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup-1\r
RECURRENCE-ID;TZID=Europe/Berlin:20240308T093000\r
STATUS:CANCELLED\r
DTSTART;TZID=Europe/Berlin:20240308T093000\r
DTEND;TZID=Europe/Berlin:20240308T094500\r
ATTENDEE:mailto:alice@x.org\r
ATTENDEE:mailto:bob@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:planning-1\r
SUMMARY:Planning\r
DTSTART;TZID=\"W. Europe Standard Time\":20240305T140000\r
DTEND;TZID=\"W. Europe Standard Time\":20240305T150000\r
RRULE:FREQ=WEEKLY;BYDAY=TU\r
DESCRIPTION:Join Zoom Meeting\\nhttps://zoom.us/j/123\\nMeeting ID: 123 456\\nPasscode: 42\r
X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r
ATTENDEE:mailto:alice@x.org\r
ATTENDEE:mailto:p1@x.org\r
ATTENDEE:mailto:p2@x.org\r
ATTENDEE:mailto:p3@x.org\r
ATTENDEE:mailto:p4@x.org\r
ATTENDEE:mailto:p5@x.org\r
ATTENDEE:mailto:p6@x.org\r
ATTENDEE:mailto:p7@x.org\r
ATTENDEE:mailto:p8@x.org\r
ATTENDEE;CUTYPE=ROOM:mailto:room-4@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:design-1\r
SUMMARY:Design review\r
DTSTART:20240306T120000Z\r
DTEND:20240306T130000Z\r
DESCRIPTION:Agenda: review the API draft and de\r
 cide on pagination.\r
ATTENDEE:mailto:alice@x.org\r
ATTENDEE:mailto:dave@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:declined-1\r
DTSTART:20240307T140000Z\r
DTEND:20240307T150000Z\r
ATTENDEE;PARTSTAT=DECLINED:mailto:alice@x.org\r
ATTENDEE:mailto:bob@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:free-1\r
DTSTART:20240311T100000Z\r
DTEND:20240311T110000Z\r
TRANSP:TRANSPARENT\r
ATTENDEE:mailto:alice@x.org\r
ATTENDEE:mailto:bob@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:focus-1\r
SUMMARY:Focus\r
DTSTART;TZID=Europe/Berlin:20240312T090000\r
DTEND;TZID=Europe/Berlin:20240312T120000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:offsite-1\r
DTSTART;VALUE=DATE:20240313\r
DTEND;VALUE=DATE:20240314\r
ATTENDEE:mailto:alice@x.org\r
ATTENDEE:mailto:bob@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:late-1\r
DTSTART;TZID=Europe/Berlin:20240314T180000\r
DURATION:PT1H\r
ATTENDEE:mailto:alice@x.org\r
ATTENDEE:mailto:erin@x.org\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:broken-1\r
SUMMARY:No start\r
END:VEVENT\r
END:VCALENDAR\r
";

const BOB: &str = "BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
BEGIN:VEVENT
UID:sync-1
SUMMARY:Weekly sync
DTSTART;TZID=America/New_York:20240304T090000
DTEND;TZID=America/New_York:20240304T093000
RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20240311T140000Z
DESCRIPTION:Agenda: blockers first\\, then the hiring plan.
ORGANIZER:mailto:bob@x.org
ATTENDEE:mailto:bob@x.org
ATTENDEE:mailto:frank@x.org
ATTENDEE:mailto:gina@x.org
END:VEVENT
BEGIN:VEVENT
UID:early-1
DTSTART;TZID=America/New_York:20240313T080000
DTEND;TZID=America/New_York:20240313T090000
ORGANIZER:mailto:bob@x.org
ATTENDEE:mailto:bob@x.org
ATTENDEE:mailto:frank@x.org
END:VEVENT
BEGIN:VEVENT
UID:prep-1
DTSTART;TZID=America/New_York:20240305T100000
DTEND;TZID=America/New_York:20240305T160000
ORGANIZER:mailto:bob@x.org
ATTENDEE:mailto:bob@x.org
ATTENDEE:mailto:frank@x.org
END:VEVENT
END:VCALENDAR
";

fn window() -> Window {
    Window {
        since: datetime!(2024-03-04 0:00 UTC),
        until: datetime!(2024-03-18 0:00 UTC),
    }
}

fn settings() -> CalendarSettings {
    CalendarSettings {
        window: window(),
        config: EvidenceConfig::default(),
        working_hours: WorkingHours::DEFAULT,
        default_zone: chrono_tz::UTC,
        now: datetime!(2024-03-20 0:00 UTC),
    }
}

fn privacy(show: bool) -> Privacy {
    Privacy::new(b"salt".to_vec(), K::DEFAULT, show)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn value(scan: &Scan, id: &str) -> f64 {
    let m = scan.metric(id).unwrap_or_else(|| panic!("{id} missing"));
    m.value.unwrap_or_else(|| panic!("{id}: {:?}", m.no_data))
}

#[test]
fn two_calendars_give_the_known_answers() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(tmp.path(), "alice.ics", ALICE);
    write(tmp.path(), "bob.ics", BOB);
    let scan = scan_calendars(&[tmp.path().to_path_buf()], &settings(), &privacy(false), &Silent).expect("scan");
    let expected: &[(&str, f64)] = &[
        ("calendar.people", 2.0),
        // alice 2 h standup (8 × 15 min) + 2 h planning + 1 h design + 1 h late;
        // bob 1 h sync + 1 h early + 6 h prep: 14 h / 2 people / 2 weeks.
        ("calendar.meeting_hours_per_person_week", 3.5),
        ("calendar.recurring_meeting_share", 5.0 / 14.0),
        ("calendar.status_meeting_hours_per_person_week", 0.8),
        ("calendar.agenda_share", 2.0 / 7.0),
        ("calendar.large_meeting_share", 1.0 / 7.0),
        ("calendar.focus_day_share", 19.0 / 20.0),
        ("calendar.off_hours_meeting_share", 2.0 / 16.0),
        ("calendar.writable_meetings", 1.0),
        ("calendar.writable_meeting_hours_per_person_week", 0.5),
    ];
    for (id, want) in expected {
        let got = value(&scan, id);
        assert!((got - want).abs() < 1e-9, "{id}: got {got}, want {want}");
    }
    assert_eq!(
        scan.metric("calendar.off_hours_meeting_share").map(|m| m.sample),
        Some(16)
    );
    let notes: Vec<&str> = scan.notes.iter().map(|n| n.message.as_str()).collect();
    let broken = notes
        .iter()
        .find(|n| n.contains("could not be read"))
        .expect("warning for the broken event");
    assert!(broken.contains("event skipped: no readable DTSTART"), "{broken}");
    assert!(broken.contains("line 108"), "{broken}");
    let writable = notes
        .iter()
        .find(|n| n.starts_with("meetings that could be written"))
        .expect("writable list");
    assert!(
        writable.contains("9 attendees, 1.0 person-hours per week"),
        "{writable}"
    );
    // The same list as data, for plans: one meeting, by pseudonym only.
    assert_eq!(scan.writable_meetings.len(), 1, "{:?}", scan.writable_meetings);
    let meeting = &scan.writable_meetings[0];
    assert_eq!((meeting.attendees, meeting.person_hours_per_week), (9, 1.0));
    assert_eq!(meeting.title, None);
    assert!(
        writable.contains(&format!("meeting {}: 9 attendees", meeting.id)),
        "{writable}"
    );
    let json = serde_json::to_string(&scan).expect("json");
    for secret in ["Planning", "Daily standup", "API draft", "alice@x.org"] {
        assert!(!json.contains(secret), "{secret} leaked");
    }
}

#[test]
fn titles_are_shown_only_when_names_are_asked_for() {
    let tmp = tempfile::tempdir().expect("tmp");
    let alice = write(tmp.path(), "alice.ics", ALICE);
    let scan = scan_calendars(&[alice], &settings(), &privacy(true), &Silent).expect("scan");
    let meeting = &scan.writable_meetings[0];
    assert_eq!(meeting.title.as_deref(), Some("Planning"));
    let shown = format!("Planning (meeting {}): 9 attendees", meeting.id);
    assert!(
        scan.notes.iter().any(|n| n.message.contains(&shown)),
        "{:?}",
        scan.notes
    );
    assert!(scan.shows_names());
}

#[test]
fn a_file_with_nothing_readable_is_an_error_and_no_input_hangs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let junk = write(tmp.path(), "junk.ics", "hello\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n");
    let err = scan_calendars(&[junk], &settings(), &privacy(false), &Silent).expect_err("junk");
    assert!(matches!(err, CalendarError::NothingReadable { .. }), "{err}");
    assert!(err.to_string().contains("line 2: event skipped: no UID"), "{err}");
    // A rule that fires every second forever is cut at the cap.
    let busy = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20240304T090000Z\nDTEND:20240304T090001Z\nRRULE:FREQ=SECONDLY\nATTENDEE:mailto:a@x\nATTENDEE:mailto:b@x\nEND:VEVENT\nEND:VCALENDAR\n";
    let path = write(tmp.path(), "busy.ics", busy);
    let scan = scan_calendars(&[path], &settings(), &privacy(false), &Silent).expect("scan");
    assert!(
        scan.notes
            .iter()
            .any(|n| n.message.contains("more than 5000 instances"))
    );
}

fn recurring(rule: &str, exdates: Vec<When>) -> ics::RawEvent {
    let text = format!(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:p\nDTSTART;TZID=Europe/Berlin:20240301T100000\nDURATION:PT30M\nRRULE:{rule}\nEND:VEVENT\nEND:VCALENDAR\n"
    );
    let mut file = ics::read(&text);
    let mut e = file.events.remove(0);
    e.exdates = exdates;
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn expanding_then_removing_exdates_never_yields_an_excluded_instance(
        freq in prop_oneof![Just("DAILY"), Just("WEEKLY;BYDAY=MO,WE,FR"), Just("MONTHLY;BYDAY=1TU,-1FR")],
        count in proptest::option::of(1u32..60),
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
    ) {
        let rule = match count { Some(c) => format!("FREQ={freq};COUNT={c}"), None => format!("FREQ={freq}") };
        let w = Window { since: datetime!(2024-03-01 0:00 UTC), until: datetime!(2024-09-01 0:00 UTC) };
        let all = instances(&recurring(&rule, Vec::new()), chrono_tz::UTC, w);
        prop_assume!(!all.is_empty());
        let excluded: Vec<chrono::DateTime<chrono::Utc>> = picks.iter().map(|i| all[i.index(all.len())]).collect();
        let exdates = excluded.iter().map(|t| When::At(*t, chrono_tz::Europe::Berlin)).collect();
        let kept = instances(&recurring(&rule, exdates), chrono_tz::UTC, w);
        for t in &excluded {
            prop_assert!(!kept.contains(t));
        }
        let mut distinct = excluded.clone();
        distinct.sort();
        distinct.dedup();
        prop_assert_eq!(kept.len() + distinct.len(), all.len());
        if let Some(c) = count {
            prop_assert!(all.len() as u32 <= c);
        }
    }

    #[test]
    fn any_text_is_read_without_panic(text in "(BEGIN:VEVENT\n|END:VEVENT\n|UID:[a-z]{1,3}\n|DTSTART[;A-Z=/_a-z]{0,12}:[0-9TZ]{0,16}\n|RRULE:[A-Z=;0-9,]{0,30}\n| [a-z]{0,5}\n|\\PC{0,10}\n){0,12}") {
        let file = ics::read(&text);
        for e in &file.events {
            let _ = instances(e, chrono_tz::UTC, window());
        }
    }
}
