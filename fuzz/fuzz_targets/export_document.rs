//! Export documents on arbitrary bytes, through the checks `asyncmm import`
//! runs before it opens a database: checking never panics, the streaming
//! check (files) and the in-memory check (documents already read) accept
//! and refuse the same documents, and an accepted document written out
//! again reads back as the same document, holding the same.
#![no_main]

use asyncmm_app::backup::{check_reader, read_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let streamed = check_reader(data, "fuzz.json");
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(streamed.is_err(), "a document that is not UTF-8 was accepted");
        return;
    };
    let in_memory = read_document(text, "fuzz.json");
    match (&streamed, &in_memory) {
        (Ok(holds), Ok(document)) => {
            let written = document.to_json().expect("an accepted document can be written");
            let again = read_document(&written, "again.json").expect("a written document reads back");
            assert_eq!(&again, document, "the document changed on the way out and back");
            let recounted = check_reader(written.as_bytes(), "again.json").expect("a written document checks");
            assert_eq!(&recounted, holds);
        }
        (Err(_), Err(_)) => {}
        (streamed, in_memory) => panic!(
            "the two checks disagree: streamed {:?}, in memory {:?}",
            streamed.as_ref().map(|_| "accepted").map_err(ToString::to_string),
            in_memory.as_ref().map(|_| "accepted").map_err(ToString::to_string)
        ),
    }
    if let Err(error) = &streamed {
        assert!(
            error.to_string().contains("fuzz.json"),
            "the error does not name the file: {error}"
        );
    }
});
