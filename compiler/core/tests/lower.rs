//! Compile, encode, decode: every channel the compiler lowers survives the wire unchanged
//! and verifies for every sensor it targets.

mod support;

use ward_compiler::hir::ChannelId;
use ward_compiler::lower;
use ward_encode::sign;
use ward_runtime::{decode, key_id, verify, SigningKey, TrustStore};

#[test]
fn every_example_channel_round_trips_and_verifies_for_each_target() {
    let (project, checked) = support::examples();
    let key = SigningKey::from_bytes(&[3; 32]);
    let trust = TrustStore::with_keys(vec![key.verifying_key()]).unwrap();
    let program = &checked.program;
    assert!(program.channels.len() >= 5);
    for (i, ch) in program.channels.iter().enumerate() {
        let model = lower::channel(program, &project.sources, ChannelId(i));
        let bytes = sign(&model, &[&key]).unwrap();
        let decoded = decode(&bytes).unwrap();
        assert_eq!(
            decoded.channel, model,
            "channel {} changed on the wire",
            ch.name
        );
        assert_eq!(decoded.signers, vec![key_id(&key.verifying_key())]);
        for t in &ch.targets {
            let profile = lower::sensor_profile(program, t.sensor);
            let verified = verify(&bytes, &trust, &profile)
                .unwrap_or_else(|e| panic!("{} for {}: {e}", ch.name, profile.name));
            assert!(verified.describes(&model));
            let supplied = program.sensor(t.sensor).supply(ch.template).unwrap().last;
            assert_eq!(verified.supplied(), supplied);
        }
    }
}

#[test]
fn a_channel_and_the_profiles_it_is_verified_against_agree_on_enums() {
    let (project, checked, diagnostics) = support::check_fixture(
        "enum A { x = 1, y = 2 }\nenum B { p = 7 }\ntemplate T = 900 {\n    version 1\n    1 b: B\n    2 a: A\n    3 b2: B\n}\nsensor s {\n    platform linux\n    version \"1\"\n    supplies T 1..=3\n}\nchannel C = 901 {\n    version 1\n    template T\n    targets [s]\n    instance i = 1 {\n        a == y\n        b2 == p\n        severity low\n    }\n}\n",
    );
    assert!(
        diagnostics.is_empty(),
        "{}",
        support::rendered(&project, &diagnostics)
    );
    let model = lower::channel(&checked.program, &project.sources, ChannelId(0));
    let names: Vec<&str> = model.enums.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["B", "A"],
        "enums are numbered in order of first use"
    );
    let profile = lower::sensor_profile(
        &checked.program,
        checked.program.channels[0].targets[0].sensor,
    );
    assert_eq!(profile.templates[0].enums, model.enums);
    assert_eq!(profile.templates[0].fields, model.template.fields);
}
