//! The shared steps of named-event dialects, with a sink that records what it is given.

use super::*;

static RULES: StreamRules = StreamRules {
    skipped: &["ping"],
    ends: &["stream_end"],
};

/// What the sink saw, as text: `event <kind>`, `api <message>`, `invalid <message>`.
#[derive(Default)]
struct Seen(Vec<String>);

impl DialectSink for Seen {
    type Error = String;

    fn event(&mut self, kind: &str, root: Value<'_>) -> Result<(), EventError<String>> {
        if let Some(bad) = root.get("n").filter(|n| n.kind() != Kind::Int) {
            return Err(Invalid(format!("n must be an integer, not {}", bad.kind().name())).into());
        }
        self.0.push(format!("event {kind}"));
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

/// Decodes `input` whole, byte by byte and split at every index; all must agree.
fn decode(input: &str) -> (Vec<String>, bool) {
    let bytes = input.as_bytes();
    let run = |cuts: &[usize]| {
        let mut decoder = EventDecoder::new(1 << 20, &RULES);
        let mut seen = Seen::default();
        let mut start = 0;
        for &cut in cuts.iter().chain([bytes.len()].iter()) {
            let _ = decoder.feed(&bytes[start..cut], &mut seen);
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

fn seen(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_type_comes_from_the_payload_else_from_the_event_name() {
    let (got, done) =
        decode("event: a\ndata: {\"type\":\"x\"}\n\nevent: b\ndata: {}\n\ndata: {\"type\":5}\n\n");
    assert_eq!(got, seen(&["event x", "event b", "event message"]));
    assert!(!done);
}

#[test]
fn skipped_types_give_nothing_and_ending_types_end_the_stream_after_their_event() {
    let (got, done) = decode(
        "data: {\"type\":\"ping\"}\n\ndata: {\"type\":\"a\"}\n\n\
         data: {\"type\":\"stream_end\"}\n\ndata: {\"type\":\"late\"}\n\n",
    );
    assert_eq!(got, seen(&["event a", "event stream_end"]));
    assert!(done);
}

#[test]
fn done_ends_the_stream_and_a_done_cut_off_at_the_end_counts() {
    assert_eq!(decode("data: [DONE]\n\ndata: {}\n\n"), (vec![], true));
    assert_eq!(
        decode("data: {\"type\":\"a\"}\n\ndata: [DONE]"),
        (seen(&["event a"]), true)
    );
}

#[test]
fn errors_end_the_stream() {
    let error_event =
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"message\":\"busy\"}}\n\n";
    assert_eq!(
        decode(&format!("{error_event}data: {{}}\n\n")).0,
        seen(&["api busy"])
    );
    let flat = "event: error\ndata: {\"type\":\"error\",\"code\":\"x\",\"message\":\"flat\"}\n\n";
    assert_eq!(decode(flat).0, seen(&["api flat"]));
    assert_eq!(
        decode("data: {\"error\":{\"message\":\"m\"}}\n\n").0,
        seen(&["api m"])
    );
    assert_eq!(
        decode("data: {\"error\":{}}\n\n").0,
        seen(&["event message"])
    );
    assert_eq!(
        decode("data: {nope\n\ndata: {}\n\n").0,
        seen(&["invalid invalid JSON in event payload"])
    );
    assert_eq!(
        decode("data: [1]\n\n").0,
        seen(&["invalid event payload must be a JSON object, not array"])
    );
    assert_eq!(
        decode("data: {\"n\":\"1\"}\n\n").0,
        seen(&["invalid n must be an integer, not string"])
    );
}

#[test]
fn close_starts_a_new_stream() {
    let mut decoder = EventDecoder::new(1 << 20, &RULES);
    let mut seen = Seen::default();
    let _ = decoder.feed(
        b"data: {\"type\":\"stream_end\"}\n\ndata: {}\n\n",
        &mut seen,
    );
    assert!(decoder.done() && !decoder.incomplete());
    decoder.close();
    let _ = decoder.feed(b"data: {\"type\":\"a\"}\n\ndata: {", &mut seen);
    assert!(!decoder.done() && decoder.incomplete());
    assert_eq!(seen.0, ["event stream_end", "event a"]);
}
