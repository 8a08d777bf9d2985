//! Property: the verifier and the decoder, given any bytes at all, return (a channel or a
//! typed error) without panicking, without hanging and within bounded memory; so does
//! the record reset's verifier, and a reset that verifies says what its first 40 bytes
//! say. Run with `-rss_limit_mb` and `-timeout` so that a slow or large input is a
//! finding too.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ward_fuzz::{host, trust};
use ward_runtime::{decode, verify, verify_reset, SensorProfile, TrustStore, RESET_LEN};

fn fixtures() -> &'static (TrustStore, SensorProfile) {
    static FIXTURES: OnceLock<(TrustStore, SensorProfile)> = OnceLock::new();
    FIXTURES.get_or_init(|| (trust(), host(12)))
}

fuzz_target!(|data: &[u8]| {
    let (trust, host) = fixtures();
    let verified = verify(data, trust, host);
    // `decode` runs the same size, framing and structure stages without the signature
    // check, so raw bytes reach the body parser here even though they cannot be signed.
    let decoded = decode(data);
    if let Ok(channel) = verified {
        // Verification implies decodability, and the two read the same channel.
        let decoded = decoded.unwrap_or_else(|e| panic!("verified but does not decode: {e}"));
        assert!(channel.describes(&decoded.channel));
    }
    if let Ok(reset) = verify_reset(data, trust) {
        assert_eq!(&reset.region()[..], &data[..RESET_LEN]);
    }
});
