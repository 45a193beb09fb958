//! The Anthropic rules through the shared skeleton, with a builder that makes text.

use super::*;
use crate::chat::ApiError;
use crate::dialect::{DialectSink, EventDecoder};

/// Builds each event as a line of text; errors too.
#[derive(Default)]
struct Text(Vec<String>);

impl EventBuilder for Text {
    type Error = String;
    type Event = String;

    fn message_start(&mut self, kind: &str, message: Value<'_>) -> Result<String, String> {
        Ok(format!("{kind} {}", message.len()))
    }
    fn content_block_start(
        &mut self,
        kind: &str,
        index: Value<'_>,
        block: Value<'_>,
    ) -> Result<String, String> {
        let block_type = block.get("type").and_then(|t| t.as_str()).unwrap_or("?");
        Ok(format!("{kind} {:?} {block_type}", index.as_i64()))
    }
    fn content_block_delta(
        &mut self,
        kind: &str,
        index: Value<'_>,
        delta_type: &str,
        delta: Delta<'_>,
    ) -> Result<String, String> {
        let what = match delta {
            Delta::Text(t) | Delta::InputJson(t) | Delta::Thinking(t) | Delta::Signature(t) => {
                t.to_string()
            }
            Delta::Citations(c) => format!("citation {}", c.len()),
            Delta::Other(d) => format!("other {}", d.len()),
        };
        Ok(format!("{kind} {:?} {delta_type} {what}", index.as_i64()))
    }
    fn content_block_stop(&mut self, kind: &str, index: Value<'_>) -> Result<String, String> {
        Ok(format!("{kind} {:?}", index.as_i64()))
    }
    fn message_delta(
        &mut self,
        kind: &str,
        _delta: Value<'_>,
        stop_reason: Option<&str>,
        stop_sequence: Option<&str>,
        usage: Option<Value<'_>>,
    ) -> Result<String, String> {
        let usage = usage.map(|u| u.len());
        Ok(format!(
            "{kind} {stop_reason:?} {stop_sequence:?} {usage:?}"
        ))
    }
    fn message_stop(&mut self, kind: &str) -> Result<String, String> {
        Ok(kind.to_string())
    }
    fn record(&mut self, kind: &str, root: Value<'_>) -> Result<String, String> {
        if kind == "fail" {
            return Err("builder failed".into());
        }
        Ok(format!("record {kind} {}", root.len()))
    }
}

impl DialectSink for Text {
    type Error = String;

    fn event(&mut self, kind: &str, root: Value<'_>) -> Result<(), EventError<String>> {
        let event = read_event(kind, root, self)?;
        self.0.push(event);
        Ok(())
    }
    fn api_error(&mut self, error: ApiError<'_>, _data: &str) {
        self.0
            .push(format!("api {} {:?}", error.message, error.kind));
    }
    fn invalid(&mut self, message: &str, _data: &str) {
        self.0.push(format!("invalid {message}"));
    }
    fn failed(&mut self, error: String) {
        self.0.push(format!("failed {error}"));
    }
}

/// Decodes `input` whole, byte by byte and split at every index; all must agree.
fn decode(input: &str) -> (Vec<String>, bool) {
    let bytes = input.as_bytes();
    let run = |cuts: &[usize]| {
        let mut decoder = EventDecoder::new(1 << 20, &RULES);
        let mut seen = Text::default();
        let mut start = 0;
        for &cut in cuts.iter().chain([bytes.len()].iter()) {
            let _ = decoder.feed(bytes.get(start..cut).unwrap_or_default(), &mut seen);
            start = cut;
        }
        decoder.close();
        (seen.0, decoder.done())
    };
    let whole = run(&[]);
    let drip: Vec<usize> = (1..bytes.len()).collect();
    assert_eq!(run(&drip), whole, "byte by byte: {input:?}");
    for cut in 0..=bytes.len() {
        assert_eq!(run(&[cut]), whole, "split at {cut}: {input:?}");
    }
    whole
}

fn one(payload: &str) -> String {
    let (seen, _) = decode(&format!("data: {payload}\n\n"));
    seen.join(" | ")
}

#[test]
fn a_text_stream_decodes_and_message_stop_ends_it() {
    let stream = concat!(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n",
        "data: {\"type\":\"message_stop\"}\n\n",
        "data: {\"type\":\"message_start\",\"message\":{}}\n\n",
    );
    let (seen, done) = decode(stream);
    assert_eq!(
        seen,
        [
            "message_start 1",
            "content_block_start Some(0) text",
            "content_block_delta Some(0) text_delta Hi",
            "content_block_stop Some(0)",
            "message_delta Some(\"end_turn\") None Some(1)",
            "message_stop",
        ]
    );
    assert!(done);
}

#[test]
fn every_delta_type_is_read_and_unknown_ones_are_records() {
    let delta = |d: &str| {
        one(&format!(
            r#"{{"type":"content_block_delta","index":2,"delta":{d}}}"#
        ))
    };
    assert_eq!(
        delta(r#"{"type":"input_json_delta","partial_json":"{\""}"#),
        "content_block_delta Some(2) input_json_delta {\""
    );
    assert_eq!(
        delta(r#"{"type":"thinking_delta","thinking":"t"}"#),
        "content_block_delta Some(2) thinking_delta t"
    );
    assert_eq!(
        delta(r#"{"type":"signature_delta","signature":"s"}"#),
        "content_block_delta Some(2) signature_delta s"
    );
    assert_eq!(
        delta(r#"{"type":"citations_delta","citation":{"a":1}}"#),
        "content_block_delta Some(2) citations_delta citation 1"
    );
    assert_eq!(
        delta(r#"{"type":"brand_new_delta","x":1}"#),
        "content_block_delta Some(2) brand_new_delta other 2"
    );
}

#[test]
fn unknown_event_types_are_records_and_the_sse_name_gives_the_type() {
    assert_eq!(
        one(r#"{"type":"server_tool_thing","a":1}"#),
        "record server_tool_thing 2"
    );
    let (seen, _) = decode("event: content_block_stop\ndata: {\"index\":4}\n\n");
    assert_eq!(seen, ["content_block_stop Some(4)"]);
    let (seen, _) = decode("data: {\"a\":1}\n\n");
    assert_eq!(seen, ["record message 1"]);
}

#[test]
fn wrong_field_types_raise_in_canonical_order() {
    let cases = [
        (
            r#"{"type":"message_start"}"#,
            "message must be an object, not null",
        ),
        (
            r#"{"type":"message_start","message":[]}"#,
            "message must be an object, not array",
        ),
        (
            r#"{"type":"content_block_start","index":"0","content_block":5}"#,
            "index must be an integer, not string",
        ),
        (
            r#"{"type":"content_block_start","index":0,"content_block":5}"#,
            "content_block must be an object, not integer",
        ),
        (
            r#"{"type":"content_block_start","index":0,"content_block":{}}"#,
            "content_block.type must be a string, not null",
        ),
        (
            r#"{"type":"content_block_delta","index":1.0,"delta":{}}"#,
            "index must be an integer, not float",
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":null}"#,
            "delta must be an object, not null",
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":1}}"#,
            "delta.type must be a string, not integer",
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":5}}"#,
            "delta.text must be a string, not integer",
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta"}}"#,
            "delta.partial_json must be a string, not null",
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":true}}"#,
            "delta.thinking must be a string, not boolean",
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":[]}}"#,
            "delta.signature must be a string, not array",
        ),
        (
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":"c"}}"#,
            "delta.citation must be an object, not string",
        ),
        (
            r#"{"type":"content_block_stop"}"#,
            "index must be an integer, not null",
        ),
        (
            r#"{"type":"message_delta","delta":"x"}"#,
            "delta must be an object, not string",
        ),
        (
            r#"{"type":"message_delta","delta":{"stop_reason":1,"stop_sequence":2}}"#,
            "delta.stop_reason must be a string or null, not integer",
        ),
        (
            r#"{"type":"message_delta","delta":{"stop_sequence":2}}"#,
            "delta.stop_sequence must be a string or null, not integer",
        ),
        (
            r#"{"type":"message_delta","delta":{},"usage":[]}"#,
            "usage must be an object or null, not array",
        ),
    ];
    for (payload, message) in cases {
        assert_eq!(
            one(payload),
            format!("invalid invalid event: {message}"),
            "{payload}"
        );
    }
}

#[test]
fn duplicate_keys_are_checked_on_their_last_value() {
    assert_eq!(
        one(r#"{"type":"content_block_stop","index":"x","index":3}"#),
        "content_block_stop Some(3)"
    );
}

#[test]
fn an_error_event_ends_the_stream_after_the_events_before_it() {
    let stream = concat!(
        "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
        "data: {\"type\":\"content_block_stop\",\"index\":1}\n\n",
    );
    let (seen, done) = decode(stream);
    assert_eq!(
        seen,
        [
            "content_block_stop Some(0)",
            "api Overloaded Some(\"overloaded_error\")"
        ]
    );
    assert!(!done);
}

#[test]
fn a_builder_failure_ends_the_stream() {
    let (seen, _) = decode("data: {\"type\":\"fail\"}\n\ndata: {\"type\":\"x\"}\n\n");
    assert_eq!(seen, ["failed builder failed"]);
}
