//! The framing decoder (`SseDecoder`) on arbitrary bytes at arbitrary split points: no panic;
//! every split, and the whole input, gives feed for feed what the byte-at-a-time run gives
//! (events, `EventTooLarge`, `last_event_id`, `retry`); `max_event_size` holds for every event
//! and for the heap the decoder keeps. The properties live in `src/lib.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssejet_fuzz::Counting;

#[global_allocator]
static ALLOC: Counting = Counting;

fuzz_target!(|data: &[u8]| ssejet_fuzz::check_sse(data));
