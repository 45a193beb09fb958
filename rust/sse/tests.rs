//! The core's own tests: the spec rules and API.md decisions, each fed whole, one byte at a
//! time and split at every index; plus a seeded property test (split == whole, no panic).

use super::*;
use crate::testing::Rng;

/// What one decoding run produced: events, then whether some feed reported an oversize event.
#[derive(Debug, PartialEq)]
struct Outcome {
    events: Vec<Event>,
    too_large: usize,
    last_event_id: Vec<u8>,
    retry: Option<u64>,
}

fn run(chunks: &[&[u8]], limit: usize) -> Outcome {
    let mut decoder = SseDecoder::new(limit);
    let mut events = Vec::new();
    let mut too_large = 0;
    for chunk in chunks {
        if let Err(Error::EventTooLarge { limit: l }) = decoder.feed(chunk, &mut events) {
            assert_eq!(l, limit);
            too_large += 1;
        }
    }
    Outcome {
        events,
        too_large,
        last_event_id: decoder.last_event_id().to_vec(),
        retry: decoder.retry(),
    }
}

/// Decodes `input` whole, byte by byte and split at every index; all must agree.
fn decode_with(input: &[u8], limit: usize) -> Outcome {
    let whole = run(&[input], limit);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    let by_byte = run(&bytes, limit);
    assert_eq!(by_byte.events, whole.events, "byte by byte");
    assert_eq!(by_byte.last_event_id, whole.last_event_id);
    assert_eq!(by_byte.retry, whole.retry);
    assert_eq!(by_byte.too_large > 0, whole.too_large > 0);
    for i in 0..=input.len() {
        let split = run(&[&input[..i], &input[i..]], limit);
        assert_eq!(split.events, whole.events, "split at {i}");
        assert_eq!(split.last_event_id, whole.last_event_id, "split at {i}");
        assert_eq!(split.retry, whole.retry, "split at {i}");
        assert_eq!(split.too_large > 0, whole.too_large > 0, "split at {i}");
    }
    whole
}

fn decode(input: &[u8]) -> Vec<Event> {
    decode_with(input, DEFAULT_MAX_EVENT_SIZE).events
}

fn ev(event: &str, data: &str, id: &str, retry: Option<u64>) -> Event {
    Event {
        event: event.into(),
        data: data.into(),
        id: id.into(),
        retry,
    }
}

fn msg(data: &str) -> Event {
    ev("message", data, "", None)
}

#[test]
fn data_lines_are_joined_with_lf_and_the_final_lf_removed() {
    assert_eq!(decode(b"data: a\ndata: b\n\n"), [msg("a\nb")]);
    assert_eq!(decode(b"data\ndata\n\n"), [msg("\n")]);
}

#[test]
fn only_one_leading_space_of_a_value_is_stripped() {
    assert_eq!(
        decode(b"data:  two\n\ndata:none\n\n"),
        [msg(" two"), msg("none")]
    );
}

#[test]
fn lines_end_in_crlf_lf_or_cr() {
    assert_eq!(
        decode(b"data: a\r\n\r\ndata: b\n\ndata: c\r\r"),
        [msg("a"), msg("b"), msg("c")]
    );
}

#[test]
fn comments_and_unknown_fields_are_ignored() {
    assert_eq!(
        decode(b": keep-alive\nfoo: bar\ndata: x\n:\n\n"),
        [msg("x")]
    );
}

#[test]
fn an_event_with_an_empty_data_buffer_is_not_dispatched() {
    assert_eq!(decode(b"event: ping\n\n: c\n\nid: 1\n\n"), []);
}

#[test]
fn an_empty_data_value_dispatches_an_empty_event() {
    assert_eq!(decode(b"data:\n\n"), [msg("")]);
}

#[test]
fn event_field_sets_the_type_and_an_empty_one_means_message() {
    assert_eq!(
        decode(b"event: add\ndata: 1\n\nevent:\ndata: 2\n\ndata: 3\n\n"),
        [ev("add", "1", "", None), msg("2"), msg("3")]
    );
}

#[test]
fn id_persists_across_events_and_an_id_with_nul_is_ignored() {
    let events = decode(b"id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n");
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["7", "7", "7", ""]);
}

#[test]
fn last_event_id_is_updated_at_the_blank_line_even_without_dispatch() {
    assert_eq!(decode_with(b"id: 5\n", 100).last_event_id, b"");
    assert_eq!(decode_with(b"id: 5\n\n", 100).last_event_id, b"5");
}

#[test]
fn retry_takes_ascii_digits_only_and_ignores_u64_overflow() {
    let out = decode_with(
        b"retry: 1500\ndata: a\n\nretry: 1x\ndata: b\n\nretry:\ndata: c\n\nretry: 18446744073709551616\ndata: d\n\nretry: 18446744073709551615\ndata: e\n\nretry: +5\ndata: f\n\n",
        1000,
    );
    let retries: Vec<Option<u64>> = out.events.iter().map(|e| e.retry).collect();
    assert_eq!(
        retries,
        [Some(1500), None, None, None, Some(u64::MAX), None]
    );
    assert_eq!(out.retry, Some(u64::MAX));
}

#[test]
fn invalid_utf8_is_replaced_and_a_split_character_decodes_whole() {
    assert_eq!(decode(b"data: \xff\xe4\xbd\xa0\n\n"), [msg("\u{fffd}你")]);
}

#[test]
fn a_field_name_without_colon_is_a_field_with_an_empty_value() {
    assert_eq!(decode(b"data\n\n"), [msg("")]);
    assert_eq!(decode(b"dat\ndata\n\n"), [msg("")]);
}

#[test]
fn an_event_at_the_limit_passes_and_one_byte_more_does_not() {
    // "data: 12345" counts 11 bytes.
    let at = decode_with(b"data: 12345\n\n", 11);
    assert_eq!((at.events.len(), at.too_large), (1, 0));
    let over = decode_with(b"data: 12345\n\ndata: ok\n\n", 10);
    assert_eq!(over.events, [msg("ok")]);
    assert!(over.too_large > 0);
}

#[test]
fn comments_and_unknown_fields_never_count_against_the_limit() {
    let mut input = Vec::new();
    input.extend_from_slice(b":");
    input.extend(std::iter::repeat_n(b'x', 100));
    input.extend_from_slice(b"\nunknown: ");
    input.extend(std::iter::repeat_n(b'y', 100));
    input.extend_from_slice(b"\ndata: ok\n\n");
    let out = decode_with(&input, 8);
    assert_eq!((out.events, out.too_large), (vec![msg("ok")], 0));
}

#[test]
fn an_oversize_event_is_skipped_to_its_blank_line_and_the_decoder_goes_on() {
    let out = decode_with(
        b"id: 1\ndata: 123456789\ndata: more\n\nid: 2\ndata: ok\n\n",
        15,
    );
    assert_eq!(out.events, [ev("message", "ok", "2", None)]);
    assert!(out.too_large > 0);
}

#[test]
fn the_skipped_events_blank_line_leaves_last_event_id_unchanged() {
    let out = decode_with(b"id: 1\ndata: 123456789\n\n", 12);
    assert_eq!(
        (out.events.len(), out.last_event_id.as_slice()),
        (0, &b""[..])
    );
}

#[test]
fn an_unterminated_line_cannot_grow_past_the_limit() {
    let mut decoder = SseDecoder::new(1000);
    let mut events = Vec::new();
    assert!(decoder.feed(b"data: ", &mut events).is_ok());
    let mut errors = 0;
    for _ in 0..1000 {
        if decoder.feed(&[b'x'; 100], &mut events).is_err() {
            errors += 1;
        }
        assert!(decoder.parser.line.capacity() <= 2048);
    }
    assert_eq!(errors, 1);
    assert!(decoder.feed(b"\n\ndata: ok\n\n", &mut events).is_ok());
    assert_eq!(events, [msg("ok")]);
}

#[test]
fn close_discards_the_unterminated_event_and_rearms_the_bom() {
    let mut decoder = SseDecoder::default();
    let mut events = Vec::new();
    decoder.feed(b"id: 3\n\ndata: lost", &mut events).unwrap();
    decoder.close();
    decoder
        .feed(b"\xEF\xBB\xBFdata: new\n\n", &mut events)
        .unwrap();
    assert_eq!(events, [ev("message", "new", "3", None)]);
    assert_eq!(decoder.last_event_id(), b"3");
}

/// Whether the decoder is `incomplete` after `chunks`, and after `close`.
fn incomplete_after(chunks: &[&[u8]], limit: usize) -> bool {
    let mut decoder = SseDecoder::new(limit);
    for chunk in chunks {
        let _ = decoder.feed(chunk, &mut Vec::new());
    }
    let incomplete = decoder.incomplete();
    decoder.close();
    assert!(!decoder.incomplete(), "after close");
    incomplete
}

/// `incomplete` after `input` fed whole, byte by byte and split at every index; all must agree.
fn incomplete_with(input: &[u8], limit: usize) -> bool {
    let whole = incomplete_after(&[input], limit);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(incomplete_after(&bytes, limit), whole, "byte by byte");
    for i in 0..=input.len() {
        let split = incomplete_after(&[&input[..i], &input[i..]], limit);
        assert_eq!(split, whole, "split at {i}");
    }
    whole
}

fn incomplete(input: &[u8]) -> bool {
    incomplete_with(input, DEFAULT_MAX_EVENT_SIZE)
}

#[test]
fn incomplete_when_a_known_fields_line_follows_the_last_blank_line() {
    for input in [
        &b"data: x"[..],
        b"data:",
        b"data",
        b"data: x\n",
        b"data: x\r",
        b"data: x\r\n",
        b"event: e\n",
        b"event: e",
        b"event",
        b"id: 1\n",
        b"id:\n",
        b"id: a\0b\n",
        b"id",
        b"retry: 10\n",
        b"retry: x\n",
        b"retry",
        b"data: a\n\ndata: b",
        b": c\ndata: x\n: c\n",
        b"data: x\nfoo: y\n",
        b"\xEF\xBB\xBFdata",
    ] {
        assert!(incomplete(input), "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn not_incomplete_for_complete_events_comments_and_unknown_fields() {
    for input in [
        &b""[..],
        b"\xEF\xBB\xBF",
        b"\xEF\xBB",
        b"data: x\n\n",
        b"data: x\r\r",
        b"data: x\r\n\r\n",
        b"id: 1\n\n",
        b": comment",
        b": comment\n",
        b"foo: bar",
        b"foo: bar\n",
        b"foo",
        b"dat",
        b"i",
        b"retr",
        b"datax",
        b"data: x\n\n: ping\n",
        b"data: x\n\nfoo",
        b"\n\n\n",
    ] {
        assert!(!incomplete(input), "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn incomplete_while_an_oversize_event_is_skipped() {
    assert!(incomplete_with(b"data: 0123456789", 8));
    assert!(incomplete_with(b"data: 0123456789\n", 8));
    assert!(incomplete_with(b"data: 0123456789\ndata: more\n", 8));
    assert!(!incomplete_with(b"data: 0123456789\n\n", 8));
    assert!(!incomplete_with(b"data: 0123456789\n\n: c\n", 8));
}

#[test]
fn pending_event_is_what_a_blank_line_would_dispatch() {
    let pending = |input: &[u8]| {
        let mut decoder = SseDecoder::default();
        decoder.feed(input, &mut Vec::new()).unwrap();
        decoder.pending_event()
    };
    let some = |e: &[u8], d: &[u8]| Some((e.to_vec(), d.to_vec()));
    assert_eq!(pending(b""), None);
    assert_eq!(pending(b"event: e\nid: 1"), None);
    assert_eq!(pending(b"data: [DONE]"), some(b"", b"[DONE]"));
    assert_eq!(pending(b"data: [DONE]\n"), some(b"", b"[DONE]"));
    assert_eq!(pending(b"data: a\ndata:b"), some(b"", b"a\nb"));
    assert_eq!(pending(b"data: a\ndata"), some(b"", b"a\n"));
    assert_eq!(pending(b"data: a\nevent: e"), some(b"e", b"a"));
    assert_eq!(pending(b"data: a\n: c"), some(b"", b"a"));
    assert_eq!(pending(b"data: a\n\n"), None);
}

#[test]
fn a_sink_that_breaks_stops_the_feed() {
    struct First(Vec<Event>);
    impl EventSink for First {
        fn event(&mut self, event: EventRef<'_>) -> ControlFlow<()> {
            self.0.push(event.to_owned());
            ControlFlow::Break(())
        }
    }
    let mut sink = First(Vec::new());
    SseDecoder::default()
        .feed(b"data: 1\n\ndata: 2\n\n", &mut sink)
        .unwrap();
    assert_eq!(sink.0, [msg("1")]);
}

#[test]
fn random_streams_decode_the_same_however_they_are_split() {
    const ALPHABET: &[&[u8]] = &[
        b"data",
        b"data:",
        b"event:",
        b"id:",
        b"retry:",
        b":",
        b" ",
        b"\n",
        b"\r",
        b"\r\n",
        b"x",
        b"7",
        b"\0",
        b"\xEF\xBB\xBF",
        b"\xe4\xbd",
        b"\xa0",
        b"\xff",
        b"[DONE]",
        b"{}",
    ];
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for _ in 0..3000 {
        let mut input = Vec::new();
        for _ in 0..rng.below(40) {
            input.extend_from_slice(ALPHABET[rng.below(ALPHABET.len())]);
        }
        let limit = 1 + rng.below(40);
        let whole = run(&[&input], limit);
        let mut chunks = Vec::new();
        let mut rest = &input[..];
        while !rest.is_empty() {
            let n = 1 + rng.below(rest.len());
            chunks.push(&rest[..n]);
            rest = &rest[n..];
        }
        let split = run(&chunks, limit);
        assert_eq!(split.events, whole.events, "{input:?} as {chunks:?}");
        assert_eq!(split.last_event_id, whole.last_event_id);
        assert_eq!(split.retry, whole.retry);
        assert_eq!(split.too_large > 0, whole.too_large > 0);
    }
}
