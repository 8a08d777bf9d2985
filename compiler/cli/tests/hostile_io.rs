//! The CLI against hostile input and output, through the real binary: a standard output
//! whose reader is gone (EPIPE) for every command that prints, `/dev/zero` in place of
//! every kind of file a command reads, key files an attacker prepared, and event lines
//! that are not UTF-8 or repeat a key. Every command is bounded in time.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use support::*;

/// A built project: (dir, public key, channel file).
fn built() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = project(&[MANIFEST, ("pipes.ward", PSEXEC_CHANNEL.as_bytes())]);
    let (key, public) = keygen(dir.path());
    let out = dir.path().join("out");
    let (code, text) = run(ward()
        .arg("build")
        .arg(dir.path())
        .arg("--key")
        .arg(&key)
        .arg("--out")
        .arg(&out));
    assert_eq!(code, 0, "{text}");
    (dir, public, out.join("Pipes.chan"))
}

/// `ward run` of the built channel on `events`, for the sensor the channel targets.
fn ward_run(dir: &Path, public: &Path, chan: &Path, events: &Path) -> assert_cmd::Command {
    let mut cmd = ward();
    cmd.arg("run")
        .arg(chan)
        .arg("--trust")
        .arg(public)
        .args(["--sensor", "windows_7_12", "--project"])
        .arg(dir)
        .arg("--events")
        .arg(events);
    cmd
}

fn bounded(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.timeout(Duration::from_secs(60))
}

/// Runs `args` with standard output a pipe nobody reads any more (closed before the
/// command starts, so its first write fails with EPIPE): no panic (exit 101), and no
/// message of one.
fn with_closed_stdout(args: &[&std::ffi::OsStr]) {
    let (reader, writer) = rustix::pipe::pipe().unwrap();
    drop(reader);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ward"))
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("{args:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_ne!(status.code(), Some(101), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(status.code().is_some(), "{args:?} died by a signal");
}

#[test]
fn no_command_panics_on_a_closed_pipe() {
    let (dir, public, chan) = built();
    let d = dir.path().as_os_str();
    let (p, c) = (public.as_os_str(), chan.as_os_str());
    let key = dir.path().join("again");
    let s = |s: &'static str| std::ffi::OsStr::new(s);
    with_closed_stdout(&[
        s("verify"),
        c,
        s("--trust"),
        p,
        s("--sensor"),
        s("windows_7_12"),
        s("--project"),
        d,
    ]);
    let out = dir.path().join("out2");
    with_closed_stdout(&[
        s("build"),
        d,
        s("--key"),
        dir.path().join("signing.key").as_os_str(),
        s("--out"),
        out.as_os_str(),
    ]);
    // The build still did its work.
    assert!(out.join("Pipes.chan").exists());
    with_closed_stdout(&[s("keygen"), s("--out"), key.as_os_str()]);
    assert!(key.with_extension("key").exists());
    fs::write(dir.path().join("bad.ward"), "channel X = 9 {").unwrap();
    with_closed_stdout(&[s("check"), d]);
    fs::remove_file(dir.path().join("bad.ward")).unwrap();
    with_closed_stdout(&[s("diff"), c, out.join("Pipes.chan").as_os_str()]);
    with_closed_stdout(&[s("disasm"), c]);
}

/// Runs the command and expects a clear error (exit 2) naming `/dev/zero`.
fn refuses_dev_zero(cmd: &mut assert_cmd::Command, what: &str) {
    let out = bounded(cmd).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
    assert!(stderr.contains("/dev/zero"), "{what}: {stderr}");
    assert!(
        stderr.contains("limit") || stderr.contains("not a regular file"),
        "{what}: {stderr}"
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_as_any_input_is_a_clear_error() {
    let (dir, public, chan) = built();
    let zero = Path::new("/dev/zero");
    let verify = |trust: &Path| {
        let mut cmd = ward();
        cmd.arg("verify").arg(&chan).arg("--trust").arg(trust);
        cmd
    };
    refuses_dev_zero(
        verify(zero)
            .args(["--sensor", "windows_7_12", "--project"])
            .arg(dir.path()),
        "trust",
    );
    refuses_dev_zero(verify(&public).arg("--profile").arg(zero), "profile");
    refuses_dev_zero(
        // (Its mode, 0666, is refused first without the flag: see below.)
        ward()
            .arg("build")
            .arg(dir.path())
            .arg("--key")
            .arg(zero)
            .arg("--allow-insecure-key-perms"),
        "key",
    );
    refuses_dev_zero(&mut ward_run(dir.path(), &public, &chan, zero), "events");
    // Ward.toml and a source, through links (the only way a project names a file): a
    // Ward.toml that is no regular file is no project; a linked source is not followed.
    for (name, expect) in [("Ward.toml", 2), ("zero.ward", 0)] {
        let linked = project(&[MANIFEST, ("pipes.ward", PSEXEC_CHANNEL.as_bytes())]);
        let path = linked.path().join(name);
        let _ = fs::remove_file(&path);
        std::os::unix::fs::symlink(zero, &path).unwrap();
        let out = bounded(ward().arg("check").arg(linked.path()))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(expect), "{name}: {text}");
    }
    // The compiler's own reader refuses what is no regular file, whatever the caller.
    refuses_dev_zero(
        ward()
            .arg("fmt")
            .arg("--check")
            .arg(dir.path().join("pipes.ward"))
            .arg(zero),
        "a source given by name",
    );
}

#[cfg(unix)]
#[test]
fn keygen_never_writes_through_a_planted_file_or_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // A planted world-readable file: replaced by a new 0600 file, not reused.
    let prefix = dir.path().join("release");
    fs::write(prefix.with_extension("key"), "planted").unwrap();
    fs::set_permissions(
        prefix.with_extension("key"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let (code, text) = run(ward()
        .arg("keygen")
        .arg("--out")
        .arg(&prefix)
        .arg("--force"));
    assert_eq!(code, 0, "{text}");
    let mode = fs::metadata(prefix.with_extension("key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // A planted link: the link is replaced, its target never written.
    let target = dir.path().join("target");
    fs::write(&target, "keep").unwrap();
    let linked = dir.path().join("linked");
    std::os::unix::fs::symlink(&target, linked.with_extension("key")).unwrap();
    let (code, text) = run(ward()
        .arg("keygen")
        .arg("--out")
        .arg(&linked)
        .arg("--force"));
    assert_eq!(code, 0, "{text}");
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
    assert!(!fs::symlink_metadata(linked.with_extension("key"))
        .unwrap()
        .is_symlink());
    // No temporary file is left behind.
    let left: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[cfg(unix)]
#[test]
fn a_key_other_users_can_read_is_refused_unless_allowed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[MANIFEST, ("pipes.ward", PSEXEC_CHANNEL.as_bytes())]);
    let (key, _) = keygen(dir.path());
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
    let build = || {
        let mut cmd = ward();
        cmd.arg("build").arg(dir.path()).arg("--key").arg(&key);
        cmd
    };
    let (code, text) = run(&mut build());
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("can be read by other users (mode 644)"),
        "{text}"
    );
    assert!(text.contains("chmod 600"), "{text}");
    assert!(!dir.path().join("build").exists());
    let (code, text) = run(build().arg("--allow-insecure-key-perms"));
    assert_eq!(code, 0, "{text}");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    let (code, text) = run(&mut build());
    assert_eq!(code, 0, "{text}");
}

#[test]
fn run_reports_and_skips_bad_lines_with_their_numbers() {
    let (dir, public, chan) = built();
    let hit = r#"{"template": "IpcNamedPipe", "fields": {"pipe_name": "\\\\.\\pipe\\PSEXESVC", "is_remote": true}}"#;
    let mut events = Vec::new();
    events.extend_from_slice(hit.as_bytes());
    events.extend_from_slice(
        b"\n{\"template\": \"IpcNamedPipe\", \"fields\": {\"pipe_name\": \"\xff\xfe\"}}\n",
    );
    events.extend_from_slice(
        br#"{"template": "IpcNamedPipe", "fields": {"is_remote": false, "is_remote": true}}"#,
    );
    events.push(b'\n');
    events.extend_from_slice(hit.as_bytes());
    events.push(b'\n');
    let path = dir.path().join("events.jsonl");
    fs::write(&path, events).unwrap();
    let out = bounded(&mut ward_run(dir.path(), &public, &chan, &path))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // Malformed lines make exit 1 (content), not 2, and the run went on past them.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("events.jsonl:2: not UTF-8 text"),
        "{stderr}"
    );
    assert!(
        stderr.contains("events.jsonl:3: not JSON: the key `is_remote` appears twice"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 malformed event lines skipped"),
        "{stderr}"
    );
    let events: Vec<&str> = stdout.lines().filter_map(|l| l.split(',').next()).collect();
    assert_eq!(events, [r#"{"event":1"#, r#"{"event":4"#], "{stdout}");
}

#[test]
fn a_version_that_leaves_no_room_is_refused_by_the_build() {
    for (version, code) in [
        ("18446744073709551615", 1),
        ("9007199254740992", 1),
        ("9007199254740991", 0),
    ] {
        let source = PSEXEC_CHANNEL.replace("version 1", &format!("version {version}"));
        let dir = project(&[MANIFEST, ("pipes.ward", source.as_bytes())]);
        let (key, _) = keygen(dir.path());
        let (got, text) = run(ward().arg("build").arg(dir.path()).arg("--key").arg(&key));
        assert_eq!(got, code, "{version}: {text}");
        // The checker refuses it too, so `ward check` and the editor say so first.
        let (checked, check_text) = run(ward().args(["check", "--color", "never"]).arg(dir.path()));
        assert_eq!(checked, code, "{version}: {check_text}");
        if code == 1 {
            for text in [&text, &check_text] {
                assert!(
                    text.contains(&format!("content version {version} is out of range"))
                        && text.contains("must be between 0 and 9007199254740991"),
                    "{text}"
                );
            }
            assert!(!dir.path().join("build").exists());
        }
    }
}
