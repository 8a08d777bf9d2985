//! Generated sensor profiles: the exported profile verifies every channel exactly as the
//! profile lowered from the whole program does, the JSON form reads back to what was
//! written, and a JSON profile the exporter would not write is refused with its reason.

mod support;

use ward_compiler::hir::{ChannelId, SensorId};
use ward_compiler::lower;
use ward_compiler::profile::SensorExport;
use ward_encode::sign;
use ward_runtime::{verify, SigningKey, TrustStore};

#[test]
fn the_exported_profile_verifies_every_channel_as_the_lowered_profile_does() {
    let (project, checked) = support::examples();
    let program = &checked.program;
    let key = SigningKey::from_bytes(&[3; 32]);
    let trust = TrustStore::with_keys(vec![key.verifying_key()]).unwrap();
    let mut refused = 0;
    for c in 0..program.channels.len() {
        let bytes = sign(
            &lower::channel(program, &project.sources, ChannelId(c)),
            &[&key],
        )
        .unwrap();
        // Every sensor, targeted or not: refusals must agree as well as acceptances.
        for s in 0..program.sensors.len() {
            let lowered = verify(&bytes, &trust, &lower::sensor_profile(program, SensorId(s)));
            let exported = verify(
                &bytes,
                &trust,
                &SensorExport::of(program, SensorId(s)).profile(),
            );
            match (lowered, exported) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.supplied(), b.supplied());
                    assert_eq!(a.instances().len(), b.instances().len());
                }
                (Err(a), Err(b)) => {
                    assert_eq!(a, b);
                    refused += 1;
                }
                (a, b) => panic!(
                    "channel {} on sensor {}: lowered {:?}, exported {:?}",
                    program.channels[c].name,
                    program.sensors[s].name,
                    a.map(|_| ()),
                    b.map(|_| ())
                ),
            }
        }
    }
    assert!(refused > 0, "the examples include refusals to compare");
}

#[test]
fn every_sensor_profile_reads_back_from_its_json() {
    let (_, checked) = support::examples();
    let program = &checked.program;
    assert!(program.sensors.len() >= 4);
    for s in 0..program.sensors.len() {
        let exported = SensorExport::of(program, SensorId(s));
        let read = SensorExport::from_json(&exported.to_json())
            .unwrap_or_else(|e| panic!("{}: {e}", exported.sensor));
        assert_eq!(read, exported);
        for t in &exported.templates {
            assert_eq!(usize::from(t.host.supplied), t.host.fields.len());
        }
    }
}

#[test]
fn only_the_supplied_fields_and_their_enums_are_exported() {
    let (_, checked, _) = support::check_fixture(
        "enum A { x = 1 }\nenum B { p = 7 }\ntemplate T = 900 {\n    version 4\n    1 b: B\n    2 n: u16\n    3 a: A\n}\nsensor s {\n    platform linux\n    version \"1\"\n    supplies T 1..=2\n}\n",
    );
    let (s, _) = checked.program.sensor_by_name("s").unwrap();
    let exported = SensorExport::of(&checked.program, s);
    let t = &exported.templates[0];
    assert_eq!(
        (t.name.as_str(), t.host.id, t.host.version, t.host.supplied),
        ("T", 900, 4, 2)
    );
    let names: Vec<&str> = t.host.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["b", "n"]);
    let enums: Vec<&str> = t.host.enums.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        enums,
        ["B"],
        "A is used only by field 3, which s does not supply"
    );
    let c = exported.to_c();
    assert!(c.contains("#define WARD_S_T_SUPPLIED 2u"), "{c}");
    assert!(c.contains("#define WARD_S_T_N 2u /* u16 */"), "{c}");
    assert!(!c.contains("WARD_S_T_A "), "{c}");
    let rust = exported.to_rust();
    assert!(rust.contains("pub const SUPPLIED: u16 = 2;"), "{rust}");
    assert!(
        rust.contains("FieldDef { name: \"n\".into(), ty: FieldType::U16 }"),
        "{rust}"
    );
}

fn refused(edit: impl Fn(&mut serde_json::Value)) -> String {
    let (_, checked) = support::examples();
    let exported = SensorExport::of(&checked.program, SensorId(0));
    let mut json: serde_json::Value = serde_json::from_str(&exported.to_json()).unwrap();
    edit(&mut json);
    SensorExport::from_json(&json.to_string()).unwrap_err()
}

#[test]
fn a_profile_that_claims_more_inputs_than_it_lists_is_refused() {
    let why = refused(|j| {
        let n = j["templates"][0]["supplied"].as_u64().unwrap();
        j["templates"][0]["supplied"] = (n + 1).into();
    });
    assert!(why.contains("supplies") && why.contains("lists"), "{why}");
}

#[test]
fn fields_out_of_order_unknown_types_keys_and_formats_are_refused() {
    let why = refused(|j| j["templates"][0]["fields"][1]["number"] = 7.into());
    assert!(
        why.contains("is number 7") && why.contains("expected 2"),
        "{why}"
    );
    let why = refused(|j| j["templates"][0]["fields"][0]["type"] = "u128".into());
    assert!(why.contains("`u128`"), "{why}");
    let why = refused(|j| j["templates"][0]["extra"] = 1.into());
    assert!(why.contains("unknown field `extra`"), "{why}");
    let why = refused(|j| j["format"] = "ward-sensor-profile/9".into());
    assert!(why.contains("ward-sensor-profile/1"), "{why}");
    let why = refused(|j| {
        let first = j["templates"][0].clone();
        j["templates"].as_array_mut().unwrap().push(first);
    });
    assert!(why.contains("listed twice"), "{why}");
}

#[test]
fn checking_only_the_declarations_exports_the_same_profiles() {
    // `ward verify --sensor NAME --project DIR` reads the profile from
    // `check_declarations`, which skips channels and tests: the profiles must be those of
    // the whole check, for every sensor of the examples and the stdlib.
    let (project, checked) = support::examples();
    let declared = ward_compiler::check_declarations(&project.sources);
    assert!(!declared.has_errors(), "{:?}", declared.diagnostics);
    assert!(
        declared.program.channels.is_empty(),
        "channels are not checked"
    );
    let sensors = &checked.program.sensors;
    assert!(sensors.len() >= 4);
    assert_eq!(declared.program.sensors.len(), sensors.len());
    for (s, sensor) in sensors.iter().enumerate() {
        assert_eq!(
            SensorExport::of(&declared.program, SensorId(s)),
            SensorExport::of(&checked.program, SensorId(s)),
            "sensor {}",
            sensor.name
        );
    }
}
