//! The Responses rules through the shared skeleton, with a builder that describes each event
//! as text.

use super::*;
use crate::chat::ApiError;
use crate::dialect::{DialectSink, EventDecoder};

/// Describes what it is given: `delta <kind> <item_id> <output_index> <index> <delta> <seq>`,
/// `record <kind>`, `api <message>`, `invalid <message>`.
#[derive(Default)]
struct Seen(Vec<String>);

impl EventBuilder for Seen {
    type Error = String;
    type Event = String;

    fn delta(&mut self, kind: &str, f: DeltaFields<'_>) -> Result<String, String> {
        let int = |v: Option<Value<'_>>| v.and_then(|v| v.as_i64()).map(|i| i.to_string());
        Ok(format!(
            "delta {kind} {:?} {} {:?} {:?} {:?}",
            f.item_id,
            f.output_index.as_i64().unwrap_or(-1),
            int(f.index),
            f.delta,
            int(f.sequence_number),
        ))
    }

    fn record(&mut self, kind: &str, _root: Value<'_>) -> Result<String, String> {
        Ok(format!("record {kind}"))
    }
}

impl DialectSink for Seen {
    type Error = String;

    fn event(&mut self, kind: &str, root: Value<'_>) -> Result<(), EventError<String>> {
        let event = read_event(kind, root, self)?;
        self.0.push(event);
        Ok(())
    }

    fn api_error(&mut self, error: ApiError<'_>, _data: &str) {
        self.0.push(format!("api {}", error.message));
    }

    fn invalid(&mut self, message: &str, _data: &str) {
        self.0.push(format!("invalid {message}"));
    }

    fn failed(&mut self, error: String) {
        self.0.push(format!("failed {error}"));
    }
}

/// Decodes `input` whole and byte by byte (both must agree); what was seen and `done`.
fn decode(input: &str) -> (Vec<String>, bool) {
    let bytes = input.as_bytes();
    let run = |step: usize| {
        let mut decoder = EventDecoder::new(1 << 20, &RULES);
        let mut seen = Seen::default();
        for piece in bytes.chunks(step.max(1)) {
            let _ = decoder.feed(piece, &mut seen);
        }
        decoder.close();
        (seen.0, decoder.done())
    };
    let whole = run(bytes.len());
    assert_eq!(run(1), whole, "byte by byte: {input:?}");
    whole
}

fn event(payload: &str) -> String {
    format!("data: {payload}\n\n")
}

#[test]
fn the_four_deltas_are_typed_with_their_fields() {
    let input = [
        r#"{"type":"response.output_text.delta","item_id":"m","output_index":1,"content_index":2,"delta":"Hi","sequence_number":7,"logprobs":[]}"#,
        r#"{"type":"response.function_call_arguments.delta","item_id":"f","output_index":0,"delta":"{\"a\"","sequence_number":3}"#,
        r#"{"type":"response.reasoning_summary_text.delta","item_id":"r","output_index":0,"summary_index":1,"delta":"x"}"#,
        r#"{"type":"response.reasoning_text.delta","output_index":4,"content_index":0,"delta":""}"#,
    ]
    .map(event)
    .concat();
    let (seen, done) = decode(&input);
    assert_eq!(
        seen,
        [
            r#"delta response.output_text.delta Some("m") 1 Some("2") "Hi" Some("7")"#,
            r#"delta response.function_call_arguments.delta Some("f") 0 None "{\"a\"" Some("3")"#,
            r#"delta response.reasoning_summary_text.delta Some("r") 0 Some("1") "x" None"#,
            r#"delta response.reasoning_text.delta None 4 Some("0") "" None"#,
        ]
    );
    assert!(!done);
}

#[test]
fn every_other_type_is_a_record_and_the_terminal_types_end_the_stream() {
    for end in [
        "response.completed",
        "response.failed",
        "response.incomplete",
    ] {
        let input = format!(
            "{}{}{}",
            event(r#"{"type":"response.created","response":{}}"#),
            event(&format!(r#"{{"type":"{end}","response":{{}}}}"#)),
            event(r#"{"type":"response.brand_new"}"#),
        );
        let (seen, done) = decode(&input);
        assert_eq!(
            seen,
            [
                "record response.created".to_string(),
                format!("record {end}")
            ]
        );
        assert!(done);
    }
    let (seen, done) = decode(&event(r#"{"type":"response.brand_new.delta","delta":5}"#));
    assert_eq!(seen, ["record response.brand_new.delta"]);
    assert!(!done);
}

#[test]
fn the_type_may_come_from_the_event_name_and_done_ends_the_stream() {
    let input = "event: response.output_text.delta\n\
                 data: {\"output_index\":0,\"content_index\":0,\"delta\":\"a\"}\n\n\
                 data: [DONE]\n\ndata: {\"type\":\"late\"}\n\n";
    let (seen, done) = decode(input);
    assert_eq!(
        seen,
        [r#"delta response.output_text.delta None 0 Some("0") "a" None"#]
    );
    assert!(done);
}

#[test]
fn hot_fields_of_the_wrong_type_are_invalid_in_canonical_order() {
    let cases = [
        (
            r#"{"type":"response.output_text.delta","delta":5,"item_id":3}"#,
            "invalid event: item_id must be a string or null, not integer",
        ),
        (
            r#"{"type":"response.output_text.delta","delta":5,"content_index":0}"#,
            "invalid event: output_index must be an integer, not null",
        ),
        (
            r#"{"type":"response.output_text.delta","output_index":0,"delta":"a"}"#,
            "invalid event: content_index must be an integer, not null",
        ),
        (
            r#"{"type":"response.reasoning_summary_text.delta","output_index":0,"content_index":0,"delta":"a"}"#,
            "invalid event: summary_index must be an integer, not null",
        ),
        (
            r#"{"type":"response.output_text.delta","output_index":0,"content_index":1.0,"delta":"a"}"#,
            "invalid event: content_index must be an integer, not float",
        ),
        (
            r#"{"type":"response.function_call_arguments.delta","output_index":0,"delta":5}"#,
            "invalid event: delta must be a string, not integer",
        ),
        (
            r#"{"type":"response.reasoning_text.delta","output_index":0,"content_index":0,"delta":"a","sequence_number":"1"}"#,
            "invalid event: sequence_number must be an integer or null, not string",
        ),
        (
            r#"{"type":"response.output_text.delta","output_index":0,"content_index":0,"delta":null}"#,
            "invalid event: delta must be a string, not null",
        ),
    ];
    for (payload, message) in cases {
        let input = format!("{}{}", event(payload), event(r#"{"type":"x"}"#));
        assert_eq!(
            decode(&input).0,
            [format!("invalid {message}")],
            "{payload}"
        );
    }
}

#[test]
fn a_duplicate_key_is_read_as_its_last_value() {
    let payload = r#"{"type":"response.function_call_arguments.delta","output_index":0,"delta":5,"delta":"b","output_index":2}"#;
    assert_eq!(
        decode(&event(payload)).0,
        [r#"delta response.function_call_arguments.delta None 2 None "b" None"#]
    );
}

#[test]
fn error_events_and_flat_errors_end_the_stream() {
    let flat = "event: error\ndata: {\"type\":\"error\",\"code\":\"x\",\"message\":\"flat\",\"sequence_number\":2}\n\n";
    assert_eq!(decode(&format!("{flat}{}", event("{}"))).0, ["api flat"]);
    let nested = event(r#"{"type":"response.failed","error":{"message":"nested"}}"#);
    assert_eq!(decode(&nested), (vec!["api nested".to_string()], false));
}
