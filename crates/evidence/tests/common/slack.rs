//! A small Slack export with known answers, written as a folder or a zip.
//! Times are UTC; January 2024 starts on a Monday, Berlin is UTC+1 and
//! New York UTC-5 then.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn ts(datetime: &str) -> String {
    let t = time::PrimitiveDateTime::parse(
        datetime,
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
    )
    .expect("datetime")
    .assume_utc()
    .unix_timestamp();
    format!("{t}.000100")
}

fn msg(at: &str, user: &str, text: &str) -> Value {
    json!({"type": "message", "ts": ts(at), "user": user, "text": text})
}

fn reply(at: &str, user: &str, text: &str, parent: &str) -> Value {
    json!({"type": "message", "ts": ts(at), "user": user, "text": text, "thread_ts": ts(parent)})
}

fn parent(at: &str, user: &str, text: &str) -> Value {
    json!({"type": "message", "ts": ts(at), "user": user, "text": text, "thread_ts": ts(at), "reply_count": 1})
}

/// Every file of the export: (path, contents).
pub fn files() -> Vec<(String, Vec<u8>)> {
    let users = json!([
        {"id": "U1", "name": "alice", "real_name": "Alice Example", "tz": "Europe/Berlin", "tz_offset": 3600},
        {"id": "U2", "name": "bob", "tz": "America/New_York", "tz_offset": -18000},
        {"id": "U3", "name": "carol", "tz": "Nowhere/Bogus", "tz_offset": 0},
        {"id": "U4", "name": "dave", "deleted": true},
        {"id": "U5", "name": "eve", "tz": "UTC", "tz_offset": 0},
        {"id": "UB", "name": "deploybot", "is_bot": true},
        {"id": "USLACKBOT", "name": "slackbot", "is_bot": false}
    ]);
    let channels = json!([{"id": "C1", "name": "general"}, {"id": "C2", "name": "team-standup"}]);
    let groups = json!([{"id": "G1", "name": "secret"}]);
    let mpims = json!([{"id": "G2", "name": "mpdm-alice--bob--carol-1", "members": ["U1", "U2", "U3"]}]);
    let dms = json!([{"id": "D1", "members": ["U1", "U2"]}]);
    let day = |v: Vec<Value>| serde_json::to_vec_pretty(&Value::Array(v)).expect("json");
    vec![
        ("users.json".into(), serde_json::to_vec(&users).expect("json")),
        ("channels.json".into(), serde_json::to_vec(&channels).expect("json")),
        ("groups.json".into(), serde_json::to_vec(&groups).expect("json")),
        ("mpims.json".into(), serde_json::to_vec(&mpims).expect("json")),
        ("dms.json".into(), serde_json::to_vec(&dms).expect("json")),
        (
            "general/2023-12-31.json".into(),
            day(vec![msg("2023-12-31 10:00", "U1", "before the window")]),
        ),
        (
            "general/2024-01-01.json".into(),
            day(vec![
                parent(
                    "2024-01-01 10:00",
                    "U1",
                    "Plan: <https://github.com/o/r/issues/1|issue 1>",
                ),
                reply("2024-01-01 12:00", "U2", "<!here> look", "2024-01-01 10:00"),
                reply("2024-01-01 13:00", "U1", "thanks", "2024-01-01 10:00"),
                json!({"type": "message", "subtype": "bot_message", "ts": ts("2024-01-01 14:00"), "bot_id": "B1", "text": "build green"}),
                json!({"type": "message", "subtype": "channel_join", "ts": ts("2024-01-01 14:30"), "user": "U3", "text": "<@U3> has joined the channel"}),
                msg("2024-01-01 14:40", "USLACKBOT", "reminder"),
            ]),
        ),
        (
            "general/2024-01-02.json".into(),
            day(vec![parent("2024-01-02 09:00", "U3", "<!channel> deploy at noon")]),
        ),
        (
            "general/2024-01-03.json".into(),
            day(vec![reply("2024-01-03 09:00", "U5", "ok", "2024-01-02 09:00")]),
        ),
        (
            "general/2024-01-06.json".into(),
            day(vec![
                msg("2024-01-06 10:00", "U4", "see <https://docs.google.com/document/d/1>"),
                json!({"type": "message", "ts": ts("2024-01-06 11:00"), "user": "U2", "bot_id": "B2", "text": "via an app"}),
            ]),
        ),
        (
            "general/2024-01-07.json".into(),
            b"[{\"ts\": \"1704621600.000000\", \"user\": \"U1\" ".to_vec(),
        ),
        (
            "team-standup/2024-01-02.json".into(),
            day(vec![msg("2024-01-02 08:00", "U1", "yesterday: x")]),
        ),
        (
            "team-standup/2024-01-16.json".into(),
            day(vec![msg("2024-01-16 08:00", "U2", "today: y")]),
        ),
        (
            "secret/2024-01-03.json".into(),
            day(vec![msg("2024-01-03 20:00", "U1", "late")]),
        ),
        (
            "mpdm-alice--bob--carol-1/2024-01-04.json".into(),
            day(vec![
                parent("2024-01-04 16:00", "U2", "question"),
                reply("2024-01-04 16:30", "U1", "answer", "2024-01-04 16:00"),
            ]),
        ),
        (
            "mpdm-alice--bob--carol-1/2024-01-13.json".into(),
            day(vec![msg("2024-01-13 15:00", "U3", "weekend")]),
        ),
        (
            "D1/2024-01-05.json".into(),
            day(vec![
                msg("2024-01-05 17:30", "U1", "evening"),
                msg("2024-01-05 18:00", "U2", "noon"),
            ]),
        ),
    ]
}

/// The known answers for the window 2024-01-01 to 2024-01-28 (4 weeks).
pub const EXPECTED: &[(&str, f64)] = &[
    ("slack.messages", 14.0),
    ("slack.public_channel_share", 8.0 / 14.0),
    ("slack.private_channel_share", 1.0 / 14.0),
    ("slack.group_dm_share", 3.0 / 14.0),
    ("slack.dm_share", 2.0 / 14.0),
    ("slack.thread_reply_share", 4.0 / 14.0),
    ("slack.durable_link_share", 2.0 / 14.0),
    ("slack.broadcasts_per_person_week", 0.1),
    ("slack.off_hours_share", 5.0 / 13.0),
    ("slack.weekend_share", 1.0 / 13.0),
    ("slack.thread_first_reply_hours", 2.0),
    ("slack.status_update_weeks_share", 0.5),
    ("slack.people", 5.0),
];

pub fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> PathBuf {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
    }
    dir.to_path_buf()
}

pub fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) -> PathBuf {
    let file = std::fs::File::create(path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), options).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
    path.to_path_buf()
}
