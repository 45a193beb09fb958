//! The properties the fuzz targets check, on one input.
//!
//! Shared with `tests/fuzz_regressions.rs` of the main crate, which includes this file as a
//! module: the committed regression inputs replay through exactly these checks under a plain
//! `cargo test`. So: `std` and the `_ssejet` crate only, no libFuzzer.
//!
//! # Input layout
//!
//! `[limit, seed_lo, seed_hi, body...]` (missing header bytes read as 0):
//! - `limit`: `0..=0xEF` gives `max_event_size = limit + 1` (1 to 240 bytes, small enough for
//!   the fuzzer to cross often); `0xF0..=0xF7` the default 16 MiB; `0xF8..` `usize::MAX`.
//! - `seed`: where the body is split into feeds (see [`splits`]): the split points are derived
//!   from the input itself, so a crash reproduces from its file alone.
//! - `body`: the stream. It is fed twice, with `close()` in between, as a reconnection does.
//!
//! # Properties
//!
//! The reference is the byte-at-a-time run: every byte is a feed of its own, which tells, for
//! every byte, which outputs it completes, whether it makes an event too large, and the
//! decoder's state after it. Any other split must then give, for each feed, exactly what the
//! bytes of that feed gave one by one: the same outputs in order, `EventTooLarge` if and only
//! if one of its bytes passed the limit, and the same state afterwards (`last_event_id` and
//! `retry`; `done` for chunks). The input is run split at the seed's points and whole.
//! Because the limit counts bytes as they arrive (API.md), this holds exactly, and it implies
//! "split equals whole". Besides, no output breaks `max_event_size`, and the heap the decoder
//! keeps between feeds (measured by [`Counting`], the global allocator of the fuzz targets and
//! of the replay test) stays within a bound set by the limit and the largest feed, never by
//! the length of the stream.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Debug;
use std::ops::{ControlFlow, Range};

use _ssejet::chat::{
    decode_payload, ApiError, ChunkBuilder, ChunkDecoder, ChunkSink, DeltaFields, Header, Index,
    ToolCallFields, UsageFields,
};
use _ssejet::json::{Tape, Value};
use _ssejet::{EventRef, EventSink, SseDecoder, DEFAULT_MAX_EVENT_SIZE};

// ---------------------------------------------------------------------------------------------
// Heap accounting
// ---------------------------------------------------------------------------------------------

thread_local! {
    // Const-initialised cells without destructors: usable from inside the allocator, as they
    // never allocate or register anything. Per thread, so parallel tests do not mix.
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

/// A global allocator that counts the live heap bytes of the current thread and their peak.
/// Install it with `#[global_allocator] static A: Counting = Counting;`.
pub struct Counting;

fn grew(by: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().wrapping_add(by);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn shrank(by: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_sub(by)));
}

// SAFETY: every call is forwarded to `System` unchanged; the counters are side bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

/// Live heap bytes of this thread, and resets the peak to it.
fn heap_mark() -> usize {
    let live = LIVE.with(Cell::get);
    PEAK.with(|peak| peak.set(live));
    live
}

fn heap_live() -> usize {
    LIVE.with(Cell::get)
}

fn heap_peak() -> usize {
    PEAK.with(Cell::get)
}

/// Whether [`Counting`] is this program's global allocator (else the heap checks are void).
pub fn counting_installed() -> bool {
    let before = heap_live();
    let probe = std::hint::black_box(vec![0u8; 4096]);
    let counted = heap_live().wrapping_sub(before) >= 4096;
    drop(probe);
    counted
}

// ---------------------------------------------------------------------------------------------
// The input
// ---------------------------------------------------------------------------------------------

/// One fuzz input, decoded (see the module docs for the layout).
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    pub limit: usize,
    pub seed: u64,
    pub body: &'a [u8],
}

impl<'a> Case<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        let byte = |i: usize| data.get(i).copied().unwrap_or(0);
        let limit = match byte(0) {
            b @ 0..=0xEF => usize::from(b) + 1,
            0xF0..=0xF7 => DEFAULT_MAX_EVENT_SIZE,
            _ => usize::MAX,
        };
        Case {
            limit,
            seed: u64::from(u16::from_le_bytes([byte(1), byte(2)])),
            body: data.get(3..).unwrap_or(&[]),
        }
    }
}

/// splitmix64: a tiny deterministic generator for the split points.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The feeds for `len` bytes: pieces of 1 to `max` bytes (`max` picked by the seed's low three
/// bits, from 1 to "everything"), with an empty feed now and then (an empty feed must change
/// nothing, not even a pending CR's LF).
pub fn splits(len: usize, seed: u64) -> Vec<Range<usize>> {
    const MAX: [usize; 8] = [1, 2, 3, 5, 8, 17, 64, usize::MAX];
    let max = MAX[(seed & 7) as usize];
    let mut rng = Rng(seed);
    let mut feeds = Vec::new();
    let mut at = 0;
    while at < len {
        let n = if rng.below(8) == 0 {
            0
        } else {
            1 + rng.below(max.min(len - at))
        };
        feeds.push(at..at + n);
        at += n;
    }
    if rng.below(4) == 0 {
        feeds.push(len..len);
    }
    feeds
}

// ---------------------------------------------------------------------------------------------
// The generic property: any split gives what the byte-at-a-time run gives
// ---------------------------------------------------------------------------------------------

/// What one feed did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<O, S> {
    pub outputs: Vec<O>,
    pub too_large: bool,
    /// The decoder's observable state after the feed.
    pub state: S,
}

/// A decoder under test, with everything it reports recorded as plain values.
pub trait Subject: Sized {
    type Out: Clone + PartialEq + Debug;
    type State: Clone + PartialEq + Debug;
    fn new(limit: usize) -> Self;
    /// Feeds `input`: the outputs, and whether it raised `EventTooLarge`.
    fn feed(&mut self, input: &[u8]) -> (Vec<Self::Out>, bool);
    fn close(&mut self);
    fn state(&self) -> Self::State;
    /// `self.state() == *state`, without building the state.
    fn is_in(&self, state: &Self::State) -> bool;
    /// Panics if an output breaks `max_event_size`.
    fn check_output(out: &Self::Out, limit: usize);
}

/// The byte-at-a-time run of one round: per byte, its outputs, its oversize flag and the state
/// after it (states are stored once per change: ids can be long).
struct Reference<O, S> {
    before: S,
    outputs: Vec<O>,
    /// `ends[i]`: outputs completed by bytes `..=i`.
    ends: Vec<usize>,
    too_large: Vec<bool>,
    states: Vec<S>,
    state_at: Vec<usize>,
}

impl<O: Clone + PartialEq + Debug, S: Clone + PartialEq + Debug> Reference<O, S> {
    fn run<T: Subject<Out = O, State = S>>(decoder: &mut T, body: &[u8]) -> Self {
        let mut r = Reference {
            before: decoder.state(),
            outputs: Vec::new(),
            ends: Vec::with_capacity(body.len()),
            too_large: Vec::with_capacity(body.len()),
            states: Vec::new(),
            state_at: Vec::with_capacity(body.len()),
        };
        for i in 0..body.len() {
            let (outputs, too_large) = decoder.feed(&body[i..=i]);
            r.outputs.extend(outputs);
            r.ends.push(r.outputs.len());
            r.too_large.push(too_large);
            if !r.states.last().is_some_and(|s| decoder.is_in(s)) {
                r.states.push(decoder.state());
            }
            r.state_at.push(r.states.len() - 1);
        }
        r
    }

    /// What a feed of `bytes` must do, after the bytes before it were fed.
    fn expect(&self, bytes: Range<usize>) -> Step<O, S> {
        // Outputs completed, and the state, after the bytes before `at`.
        let done = |at: usize| at.checked_sub(1).map_or(0, |i| self.ends[i]);
        let state = match bytes.end.checked_sub(1) {
            None => &self.before,
            Some(last) => &self.states[self.state_at[last]],
        };
        Step {
            outputs: self.outputs[done(bytes.start)..done(bytes.end)].to_vec(),
            too_large: self.too_large[bytes].iter().any(|&t| t),
            state: state.clone(),
        }
    }
}

/// Feeds `body` as `feeds` and checks every feed against the reference.
fn check_split<T: Subject>(
    decoder: &mut T,
    body: &[u8],
    feeds: &[Range<usize>],
    reference: &Reference<T::Out, T::State>,
    what: &str,
) {
    assert_eq!(
        decoder.state(),
        reference.before,
        "{what}: state before the round"
    );
    for (k, feed) in feeds.iter().enumerate() {
        let (outputs, too_large) = decoder.feed(&body[feed.clone()]);
        let got = Step {
            outputs,
            too_large,
            state: decoder.state(),
        };
        let want = reference.expect(feed.clone());
        assert!(
            got == want,
            "{what}: feed {k} of bytes {feed:?} ({:?}) gave\n  {got:?}\nbut byte by byte they give\n  {want:?}",
            String::from_utf8_lossy(&body[feed.clone()]),
        );
    }
}

/// The whole property set for one input: byte-at-a-time reference, the seed's split, the whole
/// body, two rounds each (`close()` between them).
pub fn check<T: Subject>(data: &[u8]) {
    let case = Case::new(data);
    let body = case.body;
    let mut byte_wise = T::new(case.limit);
    let first = Reference::run(&mut byte_wise, body);
    byte_wise.close();
    let second = Reference::run(&mut byte_wise, body);
    for out in first.outputs.iter().chain(&second.outputs) {
        T::check_output(out, case.limit);
    }
    let whole = [Range {
        start: 0,
        end: body.len(),
    }];
    let split = splits(body.len(), case.seed);
    let resplit = splits(body.len(), case.seed.rotate_left(17) ^ 0x5555);
    for (what, a, b) in [
        ("split", &split[..], &resplit[..]),
        ("whole", &whole, &whole),
    ] {
        let mut decoder = T::new(case.limit);
        check_split(&mut decoder, body, a, &first, what);
        decoder.close();
        check_split(&mut decoder, body, b, &second, what);
    }
}

/// The heap a decoder keeps: `body` fed as `feeds`, twice with `close()` between. After every
/// feed the live bytes it holds must stay under `bound(largest feed so far)`, and the peak
/// during a feed under twice that plus the feed (a line completed by a feed is joined with its
/// start before it is parsed).
fn check_heap<D>(
    mut decoder: D,
    body: &[u8],
    feeds: &[Range<usize>],
    mut feed: impl FnMut(&mut D, &[u8]),
    close: impl Fn(&mut D),
    bound: impl Fn(usize) -> usize,
) {
    if !counting_installed() {
        return;
    }
    let base = heap_live();
    let mut largest = 0;
    for round in 0..2 {
        for range in feeds {
            let bytes = &body[range.clone()];
            largest = largest.max(bytes.len());
            let mark = heap_mark();
            feed(&mut decoder, bytes);
            let kept = heap_live().saturating_sub(base);
            let peak = heap_peak().max(mark).saturating_sub(base);
            let limit = bound(largest);
            assert!(
                kept <= limit,
                "round {round}: the decoder keeps {kept} heap bytes after a feed of {} \
                 (bound {limit})",
                bytes.len()
            );
            let peak_limit = limit.saturating_mul(2).saturating_add(bytes.len());
            assert!(
                peak <= peak_limit,
                "round {round}: {peak} heap bytes at the peak of a feed of {} (bound {peak_limit})",
                bytes.len()
            );
        }
        close(&mut decoder);
    }
}

// ---------------------------------------------------------------------------------------------
// The framing decoder
// ---------------------------------------------------------------------------------------------

/// A dispatched event, as raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEvent {
    pub event: Vec<u8>,
    pub data: Vec<u8>,
    pub id: Vec<u8>,
    pub retry: Option<u64>,
}

/// `last_event_id` and `retry`.
pub type SseState = (Vec<u8>, Option<u64>);

struct Events(Vec<RawEvent>);

impl EventSink for Events {
    fn event(&mut self, e: EventRef<'_>) -> ControlFlow<()> {
        // The owned, decoded form must be buildable from anything (lossy UTF-8, no panic).
        let owned = e.to_owned();
        assert!(!owned.event.is_empty() && owned.retry == e.retry);
        self.0.push(RawEvent {
            event: e.event.to_vec(),
            data: e.data.to_vec(),
            id: e.id.to_vec(),
            retry: e.retry,
        });
        ControlFlow::Continue(())
    }
}

impl Subject for SseDecoder {
    type Out = RawEvent;
    type State = SseState;

    fn new(limit: usize) -> Self {
        SseDecoder::new(limit)
    }

    fn feed(&mut self, input: &[u8]) -> (Vec<RawEvent>, bool) {
        let mut events = Events(Vec::new());
        let result = SseDecoder::feed(self, input, &mut events);
        if let Err(error) = &result {
            assert_eq!(
                error.to_string(),
                format!(
                    "event exceeds max_event_size={} bytes",
                    self.max_event_size()
                )
            );
        }
        (events.0, result.is_err())
    }

    fn close(&mut self) {
        SseDecoder::close(self);
    }

    fn state(&self) -> SseState {
        (self.last_event_id().to_vec(), self.retry())
    }

    fn is_in(&self, (id, retry): &SseState) -> bool {
        self.last_event_id() == id && self.retry() == *retry
    }

    /// The limit counts the raw field lines: at least `data` plus the value for each data line
    /// (the data joins them with one LF, the last dropped), `event:` plus a non-empty type,
    /// `id:` plus a non-empty id (an id may come from an earlier event; its line was counted
    /// there, against the same limit).
    fn check_output(e: &RawEvent, limit: usize) {
        let mut floor = e.data.len() + 4;
        if !e.event.is_empty() {
            floor += e.event.len() + 6;
        }
        assert!(
            floor <= limit,
            "an event of at least {floor} bytes passed max_event_size={limit}: {e:?}"
        );
        assert!(
            e.id.is_empty() || e.id.len() + 3 <= limit,
            "an id beyond the limit: {e:?}"
        );
        assert!(!e.id.contains(&0), "an id holding NUL: {e:?}");
    }
}

/// Counts events and keeps nothing: the decoder's own heap, measured alone.
struct Count(usize);

impl EventSink for Count {
    fn event(&mut self, _: EventRef<'_>) -> ControlFlow<()> {
        self.0 += 1;
        ControlFlow::Continue(())
    }
}

/// The framing decoder's buffers (partial line, data, type, id buffer, last id) hold at most
/// about `limit` bytes each, doubled by `Vec` growth; a line completed by a feed is joined with
/// its start first, so the largest feed counts too.
fn sse_bound(limit: usize, largest_feed: usize) -> usize {
    limit
        .saturating_mul(12)
        .saturating_add(largest_feed.saturating_mul(2))
        .saturating_add(512)
}

/// Every property of the framing decoder on one fuzz input.
pub fn check_sse(data: &[u8]) {
    check::<SseDecoder>(data);
    let case = Case::new(data);
    let feeds = splits(case.body.len(), case.seed);
    check_heap(
        SseDecoder::new(case.limit),
        case.body,
        &feeds,
        |d, bytes| {
            let _ = d.feed(bytes, &mut Count(0));
        },
        SseDecoder::close,
        |largest| sse_bound(case.limit, largest),
    );
}

// ---------------------------------------------------------------------------------------------
// The chunk decoder
// ---------------------------------------------------------------------------------------------

/// What a chunk decoder reported, as plain values (chunks as the debug text of every piece the
/// builder was given: every field, normalised and raw).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Payload(Vec<u8>),
    Chunk(String),
    Api {
        message: String,
        code: Option<String>,
        kind: Option<String>,
        body: Option<String>,
        data: String,
    },
    Invalid {
        message: String,
        data: String,
    },
    Failed,
}

/// A `ChunkSink` that records everything.
#[derive(Default)]
pub struct Record(pub Vec<Seen>);

impl ChunkBuilder for Record {
    type Error = ();
    type ToolCall = String;
    type Delta = String;
    type Choice = String;
    type Usage = String;
    type Chunk = String;

    fn tool_call(&mut self, call: ToolCallFields<'_>) -> Result<String, ()> {
        Ok(format!("{call:?}"))
    }
    fn delta(&mut self, d: DeltaFields<'_>, calls: Option<Vec<String>>) -> Result<String, ()> {
        Ok(format!("{d:?} tool_calls={calls:?}"))
    }
    fn empty_delta(&mut self) -> Result<String, ()> {
        Ok("empty delta".into())
    }
    fn choice(
        &mut self,
        index: Index<'_>,
        delta: String,
        finish_reason: Option<&str>,
        logprobs: Option<Value<'_>>,
    ) -> Result<String, ()> {
        Ok(format!("{index:?} {delta} {finish_reason:?} {logprobs:?}"))
    }
    fn usage(&mut self, usage: UsageFields<'_>) -> Result<String, ()> {
        Ok(format!("{usage:?}"))
    }
    fn chunk(
        &mut self,
        header: Header<'_>,
        choices: Vec<String>,
        usage: Option<String>,
    ) -> Result<String, ()> {
        Ok(format!("{header:?} choices={choices:?} usage={usage:?}"))
    }
}

impl ChunkSink for Record {
    fn payload(&mut self, payload: &[u8]) {
        self.0.push(Seen::Payload(payload.to_vec()));
    }
    fn push(&mut self, chunk: String) {
        self.0.push(Seen::Chunk(chunk));
    }
    fn api_error(&mut self, e: ApiError<'_>, data: &str) {
        self.0.push(Seen::Api {
            message: e.message.to_owned(),
            code: e.code.map(|c| format!("{c:?}")),
            kind: e.kind.map(str::to_owned),
            body: e.body.map(|b| format!("{b:?}")),
            data: data.to_owned(),
        });
    }
    fn invalid(&mut self, message: &str, data: &str) {
        self.0.push(Seen::Invalid {
            message: message.to_owned(),
            data: data.to_owned(),
        });
    }
    fn failed(&mut self, (): ()) {
        self.0.push(Seen::Failed);
    }
}

impl Subject for ChunkDecoder {
    type Out = Seen;
    /// `done`.
    type State = bool;

    fn new(limit: usize) -> Self {
        ChunkDecoder::new(limit)
    }

    fn feed(&mut self, input: &[u8]) -> (Vec<Seen>, bool) {
        let mut record = Record::default();
        let result = ChunkDecoder::feed(self, input, &mut record);
        (record.0, result.is_err())
    }

    fn close(&mut self) {
        ChunkDecoder::close(self);
    }

    fn state(&self) -> bool {
        self.done()
    }

    fn is_in(&self, done: &bool) -> bool {
        self.done() == *done
    }

    /// A payload is one event's data (`data` lines of at least 4 counted bytes plus the
    /// value each), or its U+FFFD repair (3 bytes per invalid byte at most).
    fn check_output(seen: &Seen, limit: usize) {
        if let Seen::Payload(payload) = seen {
            let most = limit.saturating_sub(4).saturating_mul(3);
            assert!(
                payload.len() <= most,
                "a payload of {} bytes passed max_event_size={limit}",
                payload.len()
            );
        }
    }
}

/// A `ChunkSink` that keeps nothing: the decoder's own heap, measured alone.
struct Nothing;

impl ChunkBuilder for Nothing {
    type Error = ();
    type ToolCall = ();
    type Delta = ();
    type Choice = ();
    type Usage = ();
    type Chunk = ();

    fn tool_call(&mut self, _: ToolCallFields<'_>) -> Result<(), ()> {
        Ok(())
    }
    fn delta(&mut self, _: DeltaFields<'_>, _: Option<Vec<()>>) -> Result<(), ()> {
        Ok(())
    }
    fn empty_delta(&mut self) -> Result<(), ()> {
        Ok(())
    }
    fn choice(
        &mut self,
        _: Index<'_>,
        (): (),
        _: Option<&str>,
        _: Option<Value<'_>>,
    ) -> Result<(), ()> {
        Ok(())
    }
    fn usage(&mut self, _: UsageFields<'_>) -> Result<(), ()> {
        Ok(())
    }
    fn chunk(&mut self, _: Header<'_>, _: Vec<()>, _: Option<()>) -> Result<(), ()> {
        Ok(())
    }
}

impl ChunkSink for Nothing {
    fn push(&mut self, (): ()) {}
    fn api_error(&mut self, _: ApiError<'_>, _: &str) {}
    fn invalid(&mut self, _: &str, _: &str) {}
    fn failed(&mut self, (): ()) {}
}

/// One payload with a fresh tape.
fn payload(tape: &mut Tape, data: &[u8]) -> Vec<Seen> {
    let mut record = Record::default();
    let _ = decode_payload(tape, data, &mut record);
    record.0
}

/// Every property of the chunk decoder on one fuzz input; the body is also read as one
/// payload, with a fresh tape and with a tape reused from other documents (the decoder reuses
/// its tape: nothing of an earlier parse may leak into a later one).
pub fn check_chunk(data: &[u8]) {
    check::<ChunkDecoder>(data);
    let case = Case::new(data);
    let fresh = payload(&mut Tape::new(), case.body);
    let mut used = Tape::new();
    let _ = payload(
        &mut used,
        br#"{"a":[1,"\u00e9",{"b":null}],"choices":[{"delta":{}}]}"#,
    );
    assert_eq!(
        payload(&mut used, case.body),
        fresh,
        "a reused tape reads differently"
    );
    let feeds = splits(case.body.len(), case.seed);
    // The framing buffers, plus the tape: at most a node (16 bytes) and a stack frame per
    // payload byte, and the unescaped strings; a payload is at most the limit or the body,
    // 3 times that after U+FFFD repair. Doubled for `Vec` growth.
    let payload_most = case.limit.min(case.body.len()).saturating_mul(3);
    check_heap(
        ChunkDecoder::new(case.limit),
        case.body,
        &feeds,
        |d, bytes| {
            let _ = d.feed(bytes, &mut Nothing);
        },
        ChunkDecoder::close,
        |largest| {
            sse_bound(case.limit, largest)
                .saturating_add(payload_most.saturating_mul(80))
                .saturating_add(4096)
        },
    );
}
