//! `ward run` on a Windows event log we write ourselves (tests/support/evtx.rs): Sysmon 1
//! and Security 4688 records, BinXML with templates (defined once, then referenced), are
//! read, mapped onto ProcessStart and matched; an event of no template is counted; a
//! corrupt and a truncated record are each a clear error for that record, and the records
//! after them are still read.

mod support;

#[path = "support/evtx.rs"]
mod evtx;

use std::fs;
use std::path::{Path, PathBuf};

use evtx::{Entry, Event};
use support::{keygen, run, ward};

const CHANNEL: &str = r#"
channel Processes = 700 {
    version 1
    template ProcessStart
    targets [windows_7_13]
    instance encoded_powershell = 1 {
        image ends_with r"\powershell.exe"
        command_line contains "-enc"
        severity high
        tags ["attack.t1059.001"]
    }
    instance office_child = 2 {
        parent_image ends_with r"\winword.exe"
        integrity in [medium, high]
        severity medium
    }
}
"#;

fn sysmon_1<'a>(image: &str, command_line: &str, parent: &str) -> Event<'a> {
    Event {
        provider: "Microsoft-Windows-Sysmon",
        event_id: 1,
        data: vec![
            ("RuleName", "-".to_string()),
            ("Image", image.to_string()),
            ("CommandLine", command_line.to_string()),
            ("ProcessId", "6400".to_string()),
            ("ParentImage", parent.to_string()),
            ("IntegrityLevel", "Medium".to_string()),
            ("LogonId", "0x3e7".to_string()),
        ],
    }
}

fn security_4688<'a>(image: &str, command_line: &str) -> Event<'a> {
    Event {
        provider: "Microsoft-Windows-Security-Auditing",
        event_id: 4688,
        data: vec![
            ("SubjectUserName", "bob".to_string()),
            ("NewProcessId", "0x1a2c".to_string()),
            ("NewProcessName", image.to_string()),
            ("ProcessId", "0x10".to_string()),
            ("CommandLine", command_line.to_string()),
            ("ParentProcessName", r"C:\Windows\explorer.exe".to_string()),
            ("MandatoryLabel", "S-1-16-12288".to_string()),
        ],
    }
}

#[test]
fn the_writers_crc32_is_the_standard_one() {
    // The check value of CRC-32/ISO-HDLC, which EVTX's checksums are.
    assert_eq!(evtx::crc32(b"123456789"), 0xcbf4_3926);
}

/// The project of [`CHANNEL`] in `dir`, built: `(project, build folder, public key)`.
fn built(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let project = dir.join("p");
    fs::create_dir(&project).unwrap();
    fs::write(project.join("Ward.toml"), "[project]\nname = \"evtx\"\n").unwrap();
    fs::write(project.join("processes.ward"), CHANNEL).unwrap();
    let (secret, public) = keygen(dir);
    let build = dir.join("build");
    let (code, text) = run(ward()
        .arg("build")
        .arg(&project)
        .arg("--key")
        .arg(&secret)
        .arg("--out")
        .arg(&build));
    assert_eq!(code, 0, "{text}");
    (project, build, public)
}

/// `ward COMMAND` (run or bench) on the built channel and `events`.
fn on_events(
    command: &str,
    project: &Path,
    build: &Path,
    public: &Path,
    events: &Path,
) -> assert_cmd::Command {
    let mut ward = ward();
    ward.arg(command)
        .arg(build.join("Processes.chan"))
        .arg("--trust")
        .arg(public)
        .args(["--sensor", "windows_7_13", "--project"])
        .arg(project)
        .arg("--events")
        .arg(events);
    ward
}

#[test]
fn run_reads_maps_and_matches_an_evtx_file_and_reads_on_past_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let (project, build, public) = built(dir.path());

    let powershell = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
    let entries = [
        // 1: matches encoded_powershell.
        Entry::Event(sysmon_1(
            powershell,
            "powershell.exe -enc SQBFAFgA",
            r"C:\Windows\explorer.exe",
        )),
        // 2: the same template again (referenced, not defined): matches nothing.
        Entry::Event(sysmon_1(
            r"C:\Windows\notepad.exe",
            "notepad.exe",
            r"C:\Windows\explorer.exe",
        )),
        // 3: Security 4688, its own names: matches encoded_powershell.
        Entry::Event(security_4688(powershell, "powershell -enc AAAA")),
        // 4: Sysmon 5 (process end) maps to no template: counted.
        Entry::Event(Event {
            provider: "Microsoft-Windows-Sysmon",
            event_id: 5,
            data: vec![("Image", powershell.to_string())],
        }),
        // 5: not BinXML.
        Entry::Raw(vec![0x0f, 1, 1, 0, 0xee, 0xee, 0xee, 0xee]),
        // 6: a record cut in the middle of its substitution values.
        Entry::Truncated(sysmon_1(powershell, "powershell -enc BBBB", r"C:\x.exe")),
        // 7: after the bad ones: matches office_child.
        Entry::Event(sysmon_1(
            r"C:\Windows\System32\cmd.exe",
            "cmd.exe /c whoami",
            r"C:\Program Files\Microsoft Office\WINWORD.EXE",
        )),
    ];
    let log = dir.path().join("sample.evtx");
    fs::write(&log, evtx::file(&entries)).unwrap();

    let output = on_events("run", &project, &build, &public, &log)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let matched: Vec<(u64, String)> = stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["event"].as_u64().unwrap(),
                v["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        matched,
        vec![
            (1, "encoded_powershell".to_string()),
            (3, "encoded_powershell".to_string()),
            (7, "office_child".to_string()),
        ],
        "{stdout}\n{stderr}"
    );
    // Each bad record is named, once; the run says how many it skipped and fails.
    let path = log.display().to_string();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with(&path)).collect();
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(errors[0].starts_with(&format!("{path}:5: ")), "{stderr}");
    assert!(errors[1].starts_with(&format!("{path}:6: ")), "{stderr}");
    assert!(
        stderr.contains("1 event of Microsoft-Windows-Sysmon 5 map to no template"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 malformed event lines skipped"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1), "{stderr}");
}

#[test]
fn bench_measures_an_evtx_file_and_its_json_dump_as_run_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let (project, build, public) = built(dir.path());
    let powershell = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
    let log = dir.path().join("clean.evtx");
    let entries = [
        Entry::Event(sysmon_1(powershell, "powershell -enc AAAA", r"C:\x.exe")),
        Entry::Event(security_4688(powershell, "powershell -enc BBBB")),
        // Of no template: skipped, as a sensor routes it nowhere.
        Entry::Event(Event {
            provider: "Microsoft-Windows-Sysmon",
            event_id: 5,
            data: vec![("Image", powershell.to_string())],
        }),
    ];
    fs::write(&log, evtx::file(&entries)).unwrap();
    let dump = dir.path().join("dump.json");
    let event = |image: &str| {
        serde_json::json!({"Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                "EventID": 1
            },
            "EventData": {"Image": image, "CommandLine": "x -enc y", "ProcessId": 1}
        }})
    };
    let text = serde_json::to_string_pretty(&serde_json::json!([
        event(powershell),
        event(r"C:\Windows\notepad.exe"),
        event(r"C:\Windows\cmd.exe"),
    ]))
    .unwrap();
    fs::write(&dump, text).unwrap();
    for (events, count) in [(&log, 2), (&dump, 3)] {
        let (code, text) = run(&mut on_events("bench", &project, &build, &public, events));
        assert_eq!(code, 0, "{text}");
        assert!(
            text.contains(&format!("evaluations of {count} events")),
            "{text}"
        );
        assert!(text.contains("cost per event: at most"), "{text}");
    }
}
