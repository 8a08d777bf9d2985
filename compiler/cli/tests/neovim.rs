//! A real client: Debian's Neovim (0.7 on bookworm), headless, runs tests/neovim/client.lua
//! against `ward lsp` on a copy of the example project. It must receive the channel-291
//! diagnostic, jump into the stdlib (a real file with content), apply the quick fix and
//! shut the server down cleanly (exit code 0). Bounded: Neovim is killed after a minute.
//!
//! Without `nvim` on PATH the test says so and passes, unless WARD_REQUIRE_NEOVIM is set,
//! as `.ci/run` sets it after installing Neovim.

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(60);

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn neovim_gets_the_diagnostic_jumps_into_the_stdlib_fixes_and_shuts_down() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("WARD_REQUIRE_NEOVIM").is_none(),
            "WARD_REQUIRE_NEOVIM is set but `nvim` is not on PATH (apt-get install neovim)"
        );
        eprintln!("skipped: `nvim` is not on PATH (apt-get install neovim)");
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("examples");
    copy_tree(&support::repo().join("examples"), &project);
    let project = project.canonicalize().unwrap();
    let result = scratch.path().join("result.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/client.lua");
    let home = scratch.path().join("home");
    let mut nvim = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("WARD_BIN", assert_cmd::cargo::cargo_bin("ward"))
        .env("WARD_PROJECT", &project)
        .env("WARD_RESULT", &result)
        // Neovim's logs and the server's stdlib copy go to the scratch folder.
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while nvim.try_wait().unwrap().is_none() {
        if started.elapsed() > LIMIT {
            nvim.kill().unwrap();
            panic!("Neovim did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = fs::read_to_string(&result).expect("client.lua writes its result");
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r.get("error"), None, "{r:#}");

    // A clean file gets a first, empty, publish; then the mistake is reported.
    assert_eq!(r["first_publish"], serde_json::json!([]), "{r:#}");
    assert_eq!(r["e0300"]["code"], "E0300");
    assert!(r["e0300"]["message"]
        .as_str()
        .unwrap()
        .contains("pipe_sddl"));

    // The jump lands in the stdlib's copy: a real, readable file, on the template.
    let stdlib = r["definition_uri"].as_str().unwrap();
    assert!(stdlib.starts_with("file://"), "{stdlib}");
    let jumped = r["jumped_to"].as_str().unwrap();
    assert!(
        jumped.starts_with(&home.join("cache").display().to_string()),
        "{jumped}"
    );
    assert!(fs::read_to_string(jumped)
        .unwrap()
        .contains("template IpcNamedPipe"));
    assert!(
        r["jumped_line"].as_str().unwrap().contains("IpcNamedPipe"),
        "{r:#}"
    );
    assert!(r["jumped_lines"].as_u64().unwrap() > 100);
    // Opening the stdlib file started no second server.
    assert_eq!(r["clients"], 1);

    // The quick fix stops targeting the sensor that lacks the field; E0300 is gone.
    assert_eq!(r["fix_title"], "stop targeting `windows_7_11`");
    assert_eq!(
        r["targets_line"].as_str().unwrap().trim(),
        "targets [windows_7_12]"
    );
    assert!(
        !r["after_fix"].as_array().unwrap().contains(&"E0300".into()),
        "{r:#}"
    );

    // `shutdown` then `exit`: the server's own exit code is 0.
    assert_eq!(r["exit_code"], 0, "{r:#}");
    assert_eq!(r["signal"], 0, "{r:#}");
}
