//! The event reader on Windows events written for these tests: JSON dumps in the
//! `Event.System` / `Event.EventData` shape, mapped by provider and event id through the
//! stdlib's mapping files; unmapped events counted; bad records reported one by one while
//! the rest is still read; files that are not .evtx refused as one bad record.

use serde_json::json;
use ward_sigma::winlog::{Reader, Record, EVTX_MAGIC, MAX_RECORD_BYTES};

fn sysmon_1() -> serde_json::Value {
    json!({"Event": {
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
            "EventID": 1
        },
        "EventData": {
            "Image": "C:\\Windows\\System32\\cmd.exe",
            "CommandLine": "cmd.exe /c whoami",
            "ProcessId": 6400,
            "IntegrityLevel": "High",
            "LogonId": "0x3e7",
            "Hashes": "SHA1=AA,MD5=BB,SHA256=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08,IMPHASH=CC",
            "RuleName": "-"
        }
    }})
}

#[test]
fn a_sysmon_process_creation_maps_onto_process_start() {
    let reader = Reader::bundled().unwrap();
    let record = reader.event(&sysmon_1()).unwrap();
    assert_eq!(
        record,
        Record::Event(json!({
            "template": "ProcessStart",
            "fields": {
                "image": "C:\\Windows\\System32\\cmd.exe",
                "command_line": "cmd.exe /c whoami",
                "pid": 6400,
                "integrity": "high",
                "logon_id": 999,
                "hashes": "SHA1=AA,MD5=BB,SHA256=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08,IMPHASH=CC",
                "image_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            }
        }))
    );
}

#[test]
fn security_4688_uses_its_own_names_and_data_elements() {
    let reader = Reader::bundled().unwrap();
    let event = json!({"Event": {
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing"}},
            "EventID": {"#text": 4688, "#attributes": {"Qualifiers": ""}}
        },
        "EventData": {"Data": [
            {"#attributes": {"Name": "NewProcessName"}, "#text": "C:\\Windows\\System32\\net.exe"},
            {"#attributes": {"Name": "NewProcessId"}, "#text": "0x1a2c"},
            {"#attributes": {"Name": "ProcessId"}, "#text": "0x10"},
            {"#attributes": {"Name": "ParentProcessName"}, "#text": "C:\\Windows\\explorer.exe"},
            {"#attributes": {"Name": "MandatoryLabel"}, "#text": "S-1-16-12288"},
            {"#attributes": {"Name": "CommandLine"}, "#text": "net user"}
        ]}
    }});
    let Record::Event(event) = reader.event(&event).unwrap() else {
        panic!("not mapped")
    };
    assert_eq!(
        event["fields"],
        json!({
            "image": "C:\\Windows\\System32\\net.exe",
            "command_line": "net user",
            "pid": 6700,
            "parent_image": "C:\\Windows\\explorer.exe",
            "parent_pid": 16,
            "integrity": "high"
        })
    );
}

#[test]
fn every_sysmon_event_the_issue_names_maps_to_its_template() {
    let reader = Reader::bundled().unwrap();
    for (id, template) in [
        (1, "ProcessStart"),
        (3, "NetworkConnect"),
        (7, "ImageLoad"),
        (11, "FileWrite"),
        (12, "RegistrySet"),
        (13, "RegistrySet"),
        (14, "RegistrySet"),
        (17, "IpcNamedPipe"),
        (18, "IpcNamedPipe"),
    ] {
        let event = json!({"Event": {"System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": id
        }, "EventData": {}}});
        let Record::Event(e) = reader.event(&event).unwrap() else {
            panic!("Sysmon {id} did not map");
        };
        assert_eq!(e["template"], template, "Sysmon {id}");
    }
}

#[test]
fn a_pipe_name_gets_the_pipe_namespace_and_a_connection_its_direction() {
    let reader = Reader::bundled().unwrap();
    let pipe = json!({"Event": {"System": {
        "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 18
    }, "EventData": {"PipeName": "\\msagent_5f"}}});
    let Record::Event(e) = reader.event(&pipe).unwrap() else {
        panic!()
    };
    assert_eq!(e["fields"]["pipe_name"], "\\\\.\\pipe\\msagent_5f");
    let net = json!({"Event": {"System": {
        "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 3
    }, "EventData": {"Initiated": "true", "DestinationPort": 443, "Protocol": "tcp"}}});
    let Record::Event(e) = reader.event(&net).unwrap() else {
        panic!()
    };
    assert_eq!(
        e["fields"],
        json!({"protocol": "tcp", "direction": "outbound", "remote_port": 443})
    );
}

#[test]
fn a_dump_of_several_events_counts_the_unmapped_and_reports_bad_ones_by_position() {
    let reader = Reader::bundled().unwrap();
    let unmapped = json!({"Event": {"System": {
        "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 5
    }}});
    let bad_value = json!({"Event": {"System": {
        "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}}, "EventID": 1
    }, "EventData": {"IntegrityLevel": "Sideways"}}});
    // Pretty-printed, as SigmaHQ's regression dumps are, one after another.
    let text = [
        sysmon_1(),
        unmapped,
        bad_value,
        json!({"no": "event"}),
        sysmon_1(),
    ]
    .iter()
    .map(|v| serde_json::to_string_pretty(v).unwrap())
    .collect::<Vec<_>>()
    .join("\n");
    let records = reader.read(text.into_bytes());
    let kinds: Vec<&str> = records
        .iter()
        .map(|(_, r)| match r {
            Record::Event(_) => "event",
            Record::Unmapped { .. } => "unmapped",
            Record::Bad(_) => "bad",
        })
        .collect();
    assert_eq!(kinds, ["event", "unmapped", "bad", "bad", "event"]);
    let (n, Record::Bad(why)) = &records[2] else {
        panic!()
    };
    assert_eq!(*n, 3);
    assert!(why.contains("IntegrityLevel: `Sideways`"), "{why}");
    assert_eq!(
        records[1].1,
        Record::Unmapped {
            provider: "Microsoft-Windows-Sysmon".into(),
            event_id: 5
        }
    );
}

#[test]
fn malformed_json_in_a_line_file_is_that_line_only() {
    let reader = Reader::bundled().unwrap();
    let text = format!(
        "{}\n{{\"Event\": \n{}\n",
        sysmon_1(),
        json!({"template": "ProcessStart", "fields": {}})
    );
    let records = reader.read(text.into_bytes());
    assert_eq!(records.len(), 3);
    assert!(matches!(&records[1], (2, Record::Bad(why)) if why.contains("not JSON")));
    // Ward's own JSON Lines events pass through untouched.
    assert_eq!(
        records[2],
        (
            3,
            Record::Event(json!({"template": "ProcessStart", "fields": {}}))
        )
    );
}

#[test]
fn a_huge_record_is_refused_and_the_next_one_read() {
    let reader = Reader::bundled().unwrap();
    let mut huge = sysmon_1();
    huge["Event"]["EventData"]["CommandLine"] = json!("a".repeat(MAX_RECORD_BYTES));
    let text = format!("{huge}\n{}\n", sysmon_1());
    let records = reader.read(text.into_bytes());
    assert!(matches!(&records[0].1, Record::Bad(why) if why.contains("more than")));
    assert!(matches!(&records[1].1, Record::Event(_)));
}

#[test]
fn a_truncated_or_bogus_evtx_file_is_one_clear_error() {
    let reader = Reader::bundled().unwrap();
    for bytes in [
        EVTX_MAGIC.to_vec(),
        [EVTX_MAGIC, &[0u8; 200]].concat(),
        [EVTX_MAGIC, &[0xffu8; 8192]].concat(),
    ] {
        let records = reader.read(bytes);
        assert!(!records.is_empty());
        for (_, r) in &records {
            assert!(matches!(r, Record::Bad(_)), "{r:?}");
        }
    }
}
