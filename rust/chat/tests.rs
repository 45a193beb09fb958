//! The chunk rules, on plain Rust values: validation order and messages, normalisations,
//! `[DONE]`, error payloads, and the stream rules under every split.

use super::*;
use crate::testing::Rng;

#[derive(Debug, Clone, PartialEq)]
struct Call {
    index: i64,
    id: Option<String>,
    kind: Option<String>,
    function: Option<(Option<String>, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Delta {
    role: Option<String>,
    content: Option<String>,
    reasoning: Option<String>,
    refusal: Option<String>,
    calls: Option<Vec<Call>>,
}

#[derive(Debug, Clone, PartialEq)]
struct Choice {
    index: i64,
    delta: Delta,
    finish: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Chunk {
    id: Option<String>,
    created: Option<i64>,
    choices: Vec<Choice>,
    usage: Option<(&'static str, Option<i64>)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Chunk(Chunk),
    Api {
        message: String,
        code: Option<String>,
        kind: Option<String>,
    },
    Invalid(String, String),
}

#[derive(Default)]
struct Collect(Vec<Seen>);

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn index(i: Index<'_>) -> i64 {
    match i {
        Index::Sent(v) => v.as_i64().unwrap(),
        Index::Position(p) => p as i64,
    }
}

impl ChunkBuilder for Collect {
    type Error = ();
    type ToolCall = Call;
    type Delta = Delta;
    type Choice = Choice;
    type Usage = (&'static str, Option<i64>);
    type Chunk = Chunk;

    fn tool_call(&mut self, c: ToolCallFields<'_>) -> Result<Call, ()> {
        Ok(Call {
            index: index(c.index),
            id: owned(c.id),
            kind: owned(c.kind),
            function: c.function.map(|(n, a)| (owned(n), owned(a))),
        })
    }
    fn delta(&mut self, d: DeltaFields<'_>, calls: Option<Vec<Call>>) -> Result<Delta, ()> {
        Ok(Delta {
            role: owned(d.role),
            content: d.content.map(Cow::into_owned),
            reasoning: d.reasoning_content.map(Cow::into_owned),
            refusal: owned(d.refusal),
            calls,
        })
    }
    fn empty_delta(&mut self) -> Result<Delta, ()> {
        Ok(Delta::default())
    }
    fn choice(
        &mut self,
        i: Index<'_>,
        delta: Delta,
        finish: Option<&str>,
        _: Option<Value<'_>>,
    ) -> Result<Choice, ()> {
        Ok(Choice {
            index: index(i),
            delta,
            finish: owned(finish),
        })
    }
    fn usage(&mut self, u: UsageFields<'_>) -> Result<Self::Usage, ()> {
        Ok((u.path, u.total_tokens.and_then(|v| v.as_i64())))
    }
    fn chunk(
        &mut self,
        h: Header<'_>,
        choices: Vec<Choice>,
        usage: Option<Self::Usage>,
    ) -> Result<Chunk, ()> {
        Ok(Chunk {
            id: owned(h.id),
            created: h.created.and_then(|v| v.as_i64()),
            choices,
            usage,
        })
    }
}

impl ChunkSink for Collect {
    fn push(&mut self, chunk: Chunk) {
        self.0.push(Seen::Chunk(chunk));
    }
    fn api_error(&mut self, e: ApiError<'_>, _: &str) {
        let code = e.code.map(|c| match c.as_str() {
            Some(s) => s.to_owned(),
            None => c.as_i64().unwrap().to_string(),
        });
        self.0.push(Seen::Api {
            message: e.message.to_owned(),
            code,
            kind: owned(e.kind),
        });
    }
    fn invalid(&mut self, message: &str, data: &str) {
        self.0
            .push(Seen::Invalid(message.to_owned(), data.to_owned()));
    }
    fn failed(&mut self, _: ()) {}
}

fn payload(json: &str) -> Vec<Seen> {
    let mut sink = Collect::default();
    let _ = decode_payload(&mut Tape::new(), json.as_bytes(), &mut sink);
    sink.0
}

fn chunk(json: &str) -> Chunk {
    match payload(json).pop() {
        Some(Seen::Chunk(chunk)) => chunk,
        other => panic!("{json}: {other:?}"),
    }
}

fn invalid(json: &str) -> String {
    match payload(json).pop() {
        Some(Seen::Invalid(message, _)) => message,
        other => panic!("{json}: {other:?}"),
    }
}

#[test]
fn an_ark_chunk_reads_as_the_openai_shape() {
    let c = chunk(
        r#"{"choices":[{"delta":{"content":"你好","role":"assistant"},"index":0}],"created":1742631211,"id":"0217","model":"doubao","service_tier":"default","object":"chat.completion.chunk","usage":null}"#,
    );
    assert_eq!(c.id.as_deref(), Some("0217"));
    assert_eq!(c.created, Some(1742631211));
    assert_eq!(c.choices[0].delta.content.as_deref(), Some("你好"));
    assert_eq!(c.choices[0].delta.role.as_deref(), Some("assistant"));
    assert_eq!(c.usage, None);
}

#[test]
fn wrong_types_are_reported_at_the_first_field_in_canonical_order() {
    assert_eq!(
        invalid(r#"{"usage": 1, "choices": [{"delta": {"content": 5}}]}"#),
        "invalid chunk: choices[0].delta.content must be a string, a list of content parts or null, not integer"
    );
    assert_eq!(
        invalid(r#"{"model": true, "id": 1.5}"#),
        "invalid chunk: id must be a string or null, not float"
    );
    assert_eq!(
        invalid(r#"[1]"#),
        "chunk payload must be a JSON object, not array"
    );
    assert_eq!(
        invalid(r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"name":7}}]}}]}"#),
        "invalid chunk: choices[0].delta.tool_calls[0].function.name must be a string or null, not integer"
    );
    assert_eq!(
        invalid(r#"{"x_groq":{"usage":{"total_tokens":"3"}}}"#),
        "invalid chunk: x_groq.usage.total_tokens must be an integer or null, not string"
    );
    assert_eq!(
        invalid(r#"{"created": true}"#).split(", not ").nth(1),
        Some("boolean")
    );
}

#[test]
fn a_duplicate_key_is_read_at_its_last_value() {
    assert_eq!(chunk(r#"{"id": 5, "id": "ok"}"#).id.as_deref(), Some("ok"));
    assert_eq!(
        invalid(r#"{"id": "ok", "id": 5}"#),
        "invalid chunk: id must be a string or null, not integer"
    );
}

#[test]
fn invalid_json_and_invalid_utf8_are_told_apart() {
    assert_eq!(invalid("{"), INVALID_JSON);
    assert_eq!(invalid("{} {}"), INVALID_JSON);
    let mut sink = Collect::default();
    let _ = decode_payload(&mut Tape::new(), b"{\"id\":\"\xff\"}", &mut sink);
    match &sink.0[..] {
        [Seen::Chunk(c)] => assert_eq!(c.id.as_deref(), Some("\u{fffd}")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn providers_normalisations() {
    // Mistral: content parts, thinking parts, tool calls without index.
    let c = chunk(
        r#"{"choices":[{"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"hm"}]},{"type":"text","text":"A"},{"type":"image"},{"type":"text","text":"B"}],"tool_calls":[{"id":"x","function":{"name":"f","arguments":"{}"}},{"id":"y"}]}}]}"#,
    );
    let d = &c.choices[0].delta;
    assert_eq!(d.content.as_deref(), Some("AB"));
    assert_eq!(d.reasoning.as_deref(), Some("hm"));
    let calls = d.calls.as_ref().unwrap();
    assert_eq!((calls[0].index, calls[1].index), (0, 1));
    // OpenRouter / Groq: `reasoning` when `reasoning_content` is absent.
    let c = chunk(
        r#"{"choices":[{"delta":{"reasoning":"r"}},{"delta":{"reasoning":"r","reasoning_content":"rc"}}]}"#,
    );
    assert_eq!(c.choices[0].delta.reasoning.as_deref(), Some("r"));
    assert_eq!(c.choices[1].delta.reasoning.as_deref(), Some("rc"));
    assert_eq!(c.choices[1].index, 1);
    // Groq: x_groq.usage when usage is absent or null.
    assert_eq!(
        chunk(r#"{"usage":null,"x_groq":{"usage":{"total_tokens":9}}}"#).usage,
        Some(("x_groq.usage", Some(9)))
    );
    assert_eq!(chunk(r#"{"x_groq":{"usage":5}}"#).usage, None);
    // Empty content parts give "", choices null gives [].
    let c = chunk(r#"{"choices":[{"delta":{"content":[]}}]}"#);
    assert_eq!(c.choices[0].delta.content.as_deref(), Some(""));
    assert_eq!(chunk(r#"{"choices":null}"#).choices, []);
}

#[test]
fn error_payloads_give_message_code_and_type() {
    let api = |json: &str| payload(json).pop().unwrap();
    assert_eq!(
        api(r#"{"error":{"message":"Token limit reached","code":400},"choices":[]}"#),
        Seen::Api {
            message: "Token limit reached".into(),
            code: Some("400".into()),
            kind: None
        }
    );
    // A falsy error is no error.
    assert!(matches!(api(r#"{"error":{}}"#), Seen::Chunk(_)));
    assert!(matches!(api(r#"{"error":0}"#), Seen::Chunk(_)));
    // A string error is the message; a code that is neither string nor integer is dropped.
    assert_eq!(
        api(r#"{"error":"boom"}"#),
        Seen::Api {
            message: "boom".into(),
            code: None,
            kind: None
        }
    );
    assert_eq!(
        api(r#"{"error":{"code":true,"type":"t"}}"#),
        Seen::Api {
            message: r#"{"error":{"code":true,"type":"t"}}"#.into(),
            code: None,
            kind: Some("t".into())
        }
    );
}

#[test]
fn done_is_matched_after_stripping_whatwg_whitespace_only() {
    assert!(is_done(b"[DONE]"));
    assert!(is_done(b" \t\x0c[DONE]\r\n"));
    assert!(!is_done(b"\x0b[DONE]"));
    assert!(!is_done(b"[DONE]x"));
    assert!(!is_done(b""));
}

/// Feeds `chunks`; returns everything seen, whether `[DONE]` was, and oversize errors.
fn stream(chunks: &[&[u8]], limit: usize) -> (Vec<Seen>, bool, usize) {
    let mut decoder = ChunkDecoder::new(limit);
    let mut sink = Collect::default();
    let mut too_large = 0;
    for chunk in chunks {
        if decoder.feed(chunk, &mut sink).is_err() {
            too_large += 1;
        }
    }
    (sink.0, decoder.done(), too_large)
}

#[test]
fn a_stream_decodes_the_same_however_it_is_split() {
    let body: &[u8] = b": keep-alive\n\ndata:{\"choices\":[{\"delta\":{\"content\":\"\xe4\xbd\xa0\"}}]}\r\n\r\ndata: \n\nevent: ping\ndata: {\"id\":\"b\"}\n\ndata: [DONE]\n\ndata: {\"id\":\"after\"}\n\n";
    let whole = stream(&[body], 1 << 20);
    assert_eq!(whole.0.len(), 2);
    assert!(whole.1);
    for i in 0..=body.len() {
        assert_eq!(
            stream(&[&body[..i], &body[i..]], 1 << 20),
            whole,
            "split at {i}"
        );
    }
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(stream(&bytes, 1 << 20), whole);
}

#[test]
fn an_error_event_ends_the_stream() {
    let body = b"data: {\"id\":\"a\"}\n\nevent: error\ndata: {\"error\":{\"message\":\"m\",\"code\":\"tool_use_failed\",\"type\":\"invalid_request_error\"}}\n\ndata: {\"id\":\"b\"}\n\n";
    let (seen, done, _) = stream(&[body], 1 << 20);
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1],
        Seen::Api {
            message: "m".into(),
            code: Some("tool_use_failed".into()),
            kind: Some("invalid_request_error".into())
        }
    );
    assert!(!done);
    let (seen, _, _) = stream(&[b"event: error\ndata: not json\n\n"], 1 << 20);
    assert_eq!(
        seen,
        [Seen::Api {
            message: "not json".into(),
            code: None,
            kind: None
        }]
    );
}

#[test]
fn close_starts_a_new_stream_and_done_resets_at_its_first_feed() {
    let mut decoder = ChunkDecoder::new(1 << 20);
    let mut sink = Collect::default();
    decoder
        .feed(b"data: [DONE]\n\ndata: {}\n\n", &mut sink)
        .unwrap();
    assert!(decoder.done() && sink.0.is_empty());
    decoder.close();
    assert!(decoder.done());
    decoder.feed(b"data: {}\n\n", &mut sink).unwrap();
    assert!(!decoder.done());
    assert_eq!(sink.0.len(), 1);
}

/// `(done, incomplete)` after `chunks`, then `done` after `close`.
fn at_close(chunks: &[&[u8]]) -> (bool, bool, bool) {
    let mut decoder = ChunkDecoder::new(1 << 20);
    let mut sink = Collect::default();
    for chunk in chunks {
        let _ = decoder.feed(chunk, &mut sink);
    }
    let before = (decoder.done(), decoder.incomplete());
    decoder.close();
    assert!(!decoder.incomplete(), "after close");
    (before.0, before.1, decoder.done())
}

/// [`at_close`] fed whole, byte by byte and split at every index; all must agree.
fn at_close_split(input: &[u8]) -> (bool, bool, bool) {
    let whole = at_close(&[input]);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(at_close(&bytes), whole, "byte by byte");
    for i in 0..=input.len() {
        assert_eq!(at_close(&[&input[..i], &input[i..]]), whole, "split at {i}");
    }
    whole
}

#[test]
fn a_done_cut_off_before_its_blank_line_counts_at_close() {
    // (done before close, incomplete before close, done after close)
    assert_eq!(at_close_split(b"data: [DONE]"), (false, true, true));
    assert_eq!(at_close_split(b"data: [DONE]\n"), (false, true, true));
    assert_eq!(at_close_split(b"data: [DONE]\r"), (false, true, true));
    assert_eq!(
        at_close_split(b"data: [DO\ndata: NE]"),
        (false, true, false)
    );
    assert_eq!(at_close_split(b"data:  [DONE] \n: c"), (false, true, true));
    assert_eq!(at_close_split(b"data: [DONE]\n\n"), (true, false, true));
    assert_eq!(
        at_close_split(b"data: {}\n\ndata: {\"id\""),
        (false, true, false)
    );
    assert_eq!(at_close_split(b"data: {}\n"), (false, true, false));
    assert_eq!(
        at_close_split(b"event: error\ndata: [DONE]"),
        (false, true, false)
    );
    assert_eq!(
        at_close_split(b"data: [DONE]\nevent: error"),
        (false, true, false)
    );
    assert_eq!(at_close_split(b": ping\n"), (false, false, false));
    assert_eq!(at_close_split(b""), (false, false, false));
}

#[test]
fn an_ended_stream_is_never_incomplete() {
    let mut decoder = ChunkDecoder::new(1 << 20);
    let mut sink = Collect::default();
    decoder
        .feed(b"event: error\ndata: x\n\ndata: [DONE]", &mut sink)
        .unwrap();
    assert!(!decoder.incomplete());
    decoder.close();
    assert!(!decoder.done());
    assert_eq!(at_close(&[b"data: [DONE]\n\ndata: {"]), (true, false, true));
}

#[test]
fn random_payload_mutations_never_panic() {
    let base: &[u8] = br#"{"id":"x","created":1,"choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"t"}]}],"tool_calls":[{"function":{"name":"n","arguments":"{}"}}]},"finish_reason":null,"logprobs":{}}],"usage":{"total_tokens":3},"x_groq":{"usage":{}},"error":null}"#;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let tokens: &[&[u8]] = &[
        b"null", b"1", b"\"s\"", b"[]", b"{}", b"true", b"1.5", b",", b"]", b"}",
    ];
    let mut tape = Tape::new();
    for _ in 0..20_000 {
        let mut data = base.to_vec();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(data.len());
            let token = tokens[rng.below(tokens.len())];
            let end = (at + rng.below(6)).min(data.len());
            data.splice(at..end, token.iter().copied());
        }
        let _ = decode_payload(&mut tape, &data, &mut Collect::default());
    }
}
