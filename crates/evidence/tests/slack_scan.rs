//! The Slack scanner over hand-made exports with known answers, as a folder
//! and as a zip, and over hostile archives.

mod common;

use std::io::Write;

use asyncmm_core::K;
use asyncmm_evidence::config::EvidenceConfig;
use asyncmm_evidence::hours::WorkingHours;
use asyncmm_evidence::privacy::Privacy;
use asyncmm_evidence::slack::archive::{ArchiveError, ArchiveLimits};
use asyncmm_evidence::slack::{SlackError, SlackSettings, classify_text, scan_slack};
use asyncmm_evidence::{NoteKind, Scan, Silent, Window};
use common::slack::{EXPECTED, files, write_dir, write_zip};
use proptest::prelude::*;
use time::macros::datetime;

fn settings() -> SlackSettings {
    SlackSettings {
        window: Window {
            since: datetime!(2024-01-01 0:00 UTC),
            until: datetime!(2024-01-29 0:00 UTC),
        },
        config: EvidenceConfig::default(),
        working_hours: WorkingHours::DEFAULT,
        limits: ArchiveLimits::default(),
        now: datetime!(2024-02-01 0:00 UTC),
    }
}

fn privacy(k: i64) -> Privacy {
    Privacy::new(b"salt".to_vec(), K::new(k).expect("k"), false)
}

fn check_expected(scan: &Scan) {
    for (id, want) in EXPECTED {
        let m = scan.metric(id).unwrap_or_else(|| panic!("{id} missing"));
        let got = m.value.unwrap_or_else(|| panic!("{id} has no value: {:?}", m.no_data));
        assert!((got - want).abs() < 1e-9, "{id}: got {got}, want {want}");
    }
    assert_eq!(scan.metric("slack.off_hours_share").map(|m| m.sample), Some(13));
    assert_eq!(scan.metric("slack.thread_first_reply_hours").map(|m| m.sample), Some(3));
    let skipped = scan
        .notes
        .iter()
        .find(|n| n.message.starts_with("skipped"))
        .expect("skipped note");
    assert_eq!(skipped.kind, NoteKind::Warning);
    assert!(
        skipped
            .message
            .contains("skipped 1 of 12 day files that are not valid JSON")
            && skipped.message.contains("general/2024-01-07.json:1:"),
        "{}",
        skipped.message
    );
}

#[test]
fn a_folder_gives_the_known_answers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = write_dir(tmp.path(), &files());
    let scan = scan_slack(&dir, &settings(), &privacy(3), &Silent).expect("scan");
    check_expected(&scan);
    let people = scan.people.expect("people");
    assert_eq!(people.count, 5);
    assert_eq!(people.top[0].activity, 6, "alice wrote 6 messages in the window");
    assert!(people.top.iter().all(|p| p.name.is_none() && p.id.len() == 12));
}

#[test]
fn a_zip_gives_the_same_answers_and_keeps_no_text() {
    let tmp = tempfile::tempdir().expect("tmp");
    let zip = write_zip(&tmp.path().join("export.zip"), &files());
    let scan = scan_slack(&zip, &settings(), &privacy(3), &Silent).expect("scan");
    check_expected(&scan);
    let json = serde_json::to_string(&scan).expect("json");
    for secret in [
        "deploy at noon",
        "yesterday",
        "Alice",
        "alice",
        "docs.google.com",
        "U1\"",
    ] {
        assert!(!json.contains(secret), "{secret} leaked");
    }
}

#[test]
fn a_zip_with_one_folder_around_everything_is_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let wrapped: Vec<(String, Vec<u8>)> = files()
        .into_iter()
        .map(|(n, b)| (format!("Acme Slack export/{n}"), b))
        .collect();
    let zip = write_zip(&tmp.path().join("export.zip"), &wrapped);
    let scan = scan_slack(&zip, &settings(), &privacy(3), &Silent).expect("scan");
    check_expected(&scan);
}

#[test]
fn response_times_need_k_people() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = write_dir(tmp.path(), &files());
    let scan = scan_slack(&dir, &settings(), &privacy(6), &Silent).expect("scan");
    let m = scan.metric("slack.thread_first_reply_hours").expect("metric");
    assert_eq!(m.value, None);
    assert!(
        m.no_data.as_deref().unwrap_or("").contains("only 3 people replied"),
        "{:?}",
        m.no_data
    );
    assert!(scan.people.expect("people").top.is_empty());
}

#[test]
fn a_public_only_export_says_so_and_measures_no_dm_share() {
    let tmp = tempfile::tempdir().expect("tmp");
    let public: Vec<(String, Vec<u8>)> = files()
        .into_iter()
        .filter(|(n, _)| {
            !["groups.json", "mpims.json", "dms.json"].contains(&n.as_str())
                && !n.starts_with("secret/")
                && !n.starts_with("mpdm-")
                && !n.starts_with("D1/")
        })
        .collect();
    let dir = write_dir(tmp.path(), &public);
    let scan = scan_slack(&dir, &settings(), &privacy(3), &Silent).expect("scan");
    assert_eq!(scan.metric("slack.messages").and_then(|m| m.value), Some(8.0));
    assert_eq!(
        scan.metric("slack.public_channel_share").and_then(|m| m.value),
        Some(1.0)
    );
    let dm = scan.metric("slack.dm_share").expect("dm");
    assert_eq!(dm.value, None);
    assert_eq!(dm.no_data.as_deref(), Some("the export holds no dms.json"));
    assert!(
        scan.metric("slack.public_channel_share")
            .expect("m")
            .confidence
            .iter()
            .any(|c| c.contains("public channels only"))
    );
    assert!(
        scan.notes
            .iter()
            .any(|n| n.kind == NoteKind::Warning && n.message.contains("public channels only"))
    );
}

fn zip_with(path: &std::path::Path, build: impl FnOnce(&mut zip::ZipWriter<std::fs::File>)) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    build(&mut zip);
    zip.finish().expect("finish");
}

fn deflated() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

#[test]
fn an_entry_escaping_the_export_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("evil.zip");
    zip_with(&path, |zip| {
        zip.start_file("channels.json", deflated()).expect("entry");
        zip.write_all(b"[]").expect("write");
        zip.start_file("../../etc/cron.d/evil.json", deflated()).expect("entry");
        zip.write_all(b"[]").expect("write");
    });
    let err = scan_slack(&path, &settings(), &privacy(3), &Silent).expect_err("refused");
    assert!(
        matches!(err, SlackError::Archive(ArchiveError::PathEscape { .. })),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("\"../../etc/cron.d/evil.json\" would be written outside the export"),
        "{err}"
    );
    assert!(!tmp.path().join("../etc").exists());
}

#[test]
fn an_absolute_entry_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("evil.zip");
    zip_with(&path, |zip| {
        zip.start_file("/tmp/evil.json", deflated()).expect("entry");
        zip.write_all(b"[]").expect("write");
    });
    let err = scan_slack(&path, &settings(), &privacy(3), &Silent).expect_err("refused");
    assert!(err.to_string().contains("outside the export"), "{err}");
}

#[test]
fn a_symlink_entry_is_refused_in_a_zip_and_in_a_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("link.zip");
    zip_with(&path, |zip| {
        zip.start_file("channels.json", deflated()).expect("entry");
        zip.write_all(b"[]").expect("write");
        zip.add_symlink("general/2024-01-01.json", "/etc/passwd", deflated())
            .expect("link");
    });
    let err = scan_slack(&path, &settings(), &privacy(3), &Silent).expect_err("refused");
    assert!(
        err.to_string()
            .contains("\"general/2024-01-01.json\" is a symbolic link"),
        "{err}"
    );

    let dir = write_dir(&tmp.path().join("export"), &files());
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", dir.join("general/2024-02-01.json")).expect("symlink");
        let err = scan_slack(&dir, &settings(), &privacy(3), &Silent).expect_err("refused");
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
    }
}

#[test]
fn zip_bombs_are_refused_with_the_limit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("bomb.zip");
    let zeros = vec![b' '; 4 << 20];
    zip_with(&path, |zip| {
        zip.start_file("channels.json", deflated()).expect("entry");
        zip.write_all(b"[]").expect("write");
        zip.start_file("general/2024-01-01.json", deflated()).expect("entry");
        zip.write_all(b"[").expect("write");
        zip.write_all(&zeros).expect("write");
        zip.write_all(b"]").expect("write");
    });
    // Compression ratio.
    let err = scan_slack(&path, &settings(), &privacy(3), &Silent).expect_err("bomb");
    let text = err.to_string();
    assert!(text.contains("refused as a possible zip bomb"), "{text}");
    assert!(text.contains("(limit 200:1)"), "{text}");
    // Size of one entry.
    let mut small = settings();
    small.limits.max_entry_bytes = 1 << 20;
    let text = scan_slack(&path, &small, &privacy(3), &Silent)
        .expect_err("bomb")
        .to_string();
    assert!(text.contains("unpacks to 4 MiB (limit 1 MiB per entry)"), "{text}");
    // Total size.
    let mut small = settings();
    small.limits.max_total_bytes = 2 << 20;
    small.limits.max_ratio = 100_000;
    let text = scan_slack(&path, &small, &privacy(3), &Silent)
        .expect_err("bomb")
        .to_string();
    assert!(text.contains("(limit 2 MiB in total)"), "{text}");
}

#[test]
fn not_an_export_and_an_empty_window_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    let junk = tmp.path().join("junk.zip");
    std::fs::write(&junk, b"not a zip").expect("write");
    let err = scan_slack(&junk, &settings(), &privacy(3), &Silent).expect_err("junk");
    assert!(err.to_string().contains("not a zip file or a folder"), "{err}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let err = scan_slack(&empty, &settings(), &privacy(3), &Silent).expect_err("empty");
    assert!(err.to_string().contains("not a Slack workspace export"), "{err}");
    let dir = write_dir(&tmp.path().join("export"), &files());
    let mut late = settings();
    late.window.since = datetime!(2025-01-01 0:00 UTC);
    late.window.until = datetime!(2025-02-01 0:00 UTC);
    let err = scan_slack(&dir, &late, &privacy(3), &Silent).expect_err("nothing");
    assert!(
        err.to_string()
            .contains("no messages by people between 2025-01-01 and 2025-01-31"),
        "{err}"
    );
    let bad_users = tmp.path().join("bad");
    write_dir(&bad_users, &[("users.json".to_string(), b"{\"id\": 1}".to_vec())]);
    let err = scan_slack(&bad_users, &settings(), &privacy(3), &Silent).expect_err("bad users");
    assert!(err.to_string().contains("users.json:1:1:"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_day_file_is_counted_or_skipped_never_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), json in "\\[(\\{\"ts\":\"[0-9.]{0,14}\",\"user\":\"U[12]\",\"text\":\"[<>!a-z:/.|]{0,30}\"\\},?){0,4}\\]") {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut all = files();
        all.push(("general/2024-01-20.json".to_string(), bytes));
        all.push(("general/2024-01-21.json".to_string(), json.into_bytes()));
        let dir = write_dir(tmp.path(), &all);
        let scan = scan_slack(&dir, &settings(), &privacy(3), &Silent).expect("scan");
        prop_assert!(scan.metric("slack.messages").and_then(|m| m.value).unwrap_or(0.0) >= 14.0);
    }

    #[test]
    fn text_classification_never_panics(text in "\\PC{0,80}") {
        let _ = classify_text(&text, &EvidenceConfig::default().durable_links);
    }
}

/// Rewrites one field of the central-directory record of `entry` in a zip
/// file: what a crafted archive whose headers lie looks like.
fn patch_central_record(path: &std::path::Path, entry: &str, offset: usize, value: u32) {
    let mut bytes = std::fs::read(path).expect("read zip");
    let signature = [0x50, 0x4b, 0x01, 0x02];
    let at = (0..bytes.len() - 46)
        .find(|&i| {
            bytes[i..i + 4] == signature && {
                let name_len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
                bytes.get(i + 46..i + 46 + name_len) == Some(entry.as_bytes())
            }
        })
        .expect("central record of the entry");
    bytes[at + offset..at + offset + 4].copy_from_slice(&value.to_le_bytes());
    std::fs::write(path, bytes).expect("write zip");
}

fn one_day_zip(path: &std::path::Path) {
    zip_with(path, |zip| {
        zip.start_file("channels.json", deflated()).expect("entry");
        zip.write_all(br#"[{"id":"C1","name":"general"}]"#).expect("write");
        zip.start_file("general/2024-01-01.json", deflated()).expect("entry");
        zip.write_all(br#"[{"ts":"1704189600.000100","user":"U1","text":"hello there, a day of chat"}]"#)
            .expect("write");
    });
}

#[test]
fn a_zip_entry_that_unpacks_to_more_than_its_header_says_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("liar.zip");
    one_day_zip(&path);
    // The header claims 10 bytes: the limits were checked against that.
    patch_central_record(&path, "general/2024-01-01.json", 24, 10);
    let err = scan_slack(&path, &settings(), &privacy(3), &Silent).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("refused as a possible zip bomb"), "{text}");
    assert!(
        text.contains("\"general/2024-01-01.json\" unpacks to more than its header or the limit allows"),
        "{text}"
    );
}

#[test]
fn a_zip_entry_with_a_wrong_checksum_is_refused_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("damaged.zip");
    one_day_zip(&path);
    patch_central_record(&path, "general/2024-01-01.json", 16, 0xdead_beef);
    let err = scan_slack(&path, &settings(), &privacy(3), &Silent).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("general/2024-01-01.json"), "{text}");
    assert!(text.contains("checksum does not match"), "{text}");
}

#[test]
fn a_zip_entry_whose_compressed_data_ends_early_is_refused_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("cut.zip");
    one_day_zip(&path);
    // The header says the compressed data is 5 bytes: the stream is cut.
    patch_central_record(&path, "general/2024-01-01.json", 20, 5);
    let err = scan_slack(&path, &settings(), &privacy(3), &Silent).expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("general/2024-01-01.json"), "{text}");
    assert!(text.contains("deflate data ends early"), "{text}");
}
