//! A real client: Debian's Neovim (0.7 on bookworm), headless, runs tests/neovim/client.lua
//! against `ward lsp` on a copy of the example project. It must receive the channel-291
//! diagnostic, jump into the stdlib (a real file with content), apply the quick fix and
//! shut the server down cleanly (exit code 0). Bounded: Neovim is killed after a minute.
//!
//! A second test loads editors/README.md's Neovim 0.7 recipe as `init.lua`, exactly as
//! written, and opens the project's files: they must become Ward buffers served by one
//! `ward lsp`, so the recipe a user pastes is the one that works.
//!
//! Without `nvim` on PATH the tests say so and pass, unless WARD_REQUIRE_NEOVIM is set,
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

/// Whether `nvim` can be run; without it the tests pass with a note, unless
/// WARD_REQUIRE_NEOVIM says it must be there.
fn have_neovim() -> bool {
    if Command::new("nvim").arg("--version").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var_os("WARD_REQUIRE_NEOVIM").is_none(),
        "WARD_REQUIRE_NEOVIM is set but `nvim` is not on PATH (apt-get install neovim)"
    );
    eprintln!("skipped: `nvim` is not on PATH (apt-get install neovim)");
    false
}

/// Runs headless Neovim with `args` on a copy of the example project, its home, logs and
/// the server's stdlib copy in `scratch`, and reads the JSON result the script writes.
/// Neovim is killed after [`LIMIT`], or when the test ends otherwise.
fn neovim(scratch: &Path, args: &[String], path: Option<&std::ffi::OsStr>) -> Value {
    let project = scratch.join("examples");
    copy_tree(&support::repo().join("examples"), &project);
    let project = project.canonicalize().unwrap();
    let result = scratch.join("result.json");
    let home = scratch.join("home");
    let mut command = Command::new("nvim");
    command
        .args(["--headless", "-n"])
        .args(args)
        .env("WARD_BIN", assert_cmd::cargo::cargo_bin("ward"))
        .env("WARD_PROJECT", &project)
        .env("WARD_RESULT", &result)
        .env("HOME", &home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let mut nvim = support::KillOnDrop(command.spawn().unwrap());
    let started = Instant::now();
    while nvim.0.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < LIMIT,
            "Neovim did not finish within {LIMIT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = fs::read_to_string(&result).expect("the script writes its result");
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r.get("error"), None, "{r:#}");
    r
}

#[test]
fn neovim_gets_the_diagnostic_jumps_into_the_stdlib_fixes_and_shuts_down() {
    if !have_neovim() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/client.lua");
    let r = neovim(
        scratch.path(),
        &[
            "--clean".into(),
            "-c".into(),
            format!("luafile {}", script.display()),
        ],
        None,
    );
    let home = scratch.path().join("home");

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

/// The Lua of editors/README.md's section for Neovim 0.7, as a user pastes it.
fn readme_recipe() -> String {
    let readme = fs::read_to_string(support::repo().join("editors/README.md")).unwrap();
    let section = readme
        .split("### Neovim 0.7")
        .nth(1)
        .expect("editors/README.md has a Neovim 0.7 section");
    let block = section
        .split("```lua\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the section has a lua block");
    block.to_string()
}

#[test]
fn the_readme_recipe_starts_one_server_for_the_projects_ward_files() {
    if !have_neovim() {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let init = scratch.path().join("init.lua");
    fs::write(&init, readme_recipe()).unwrap();
    // The recipe runs `ward` from PATH, as after `cargo install`.
    let bin = assert_cmd::cargo::cargo_bin("ward");
    let mut dirs = vec![bin.parent().unwrap().to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(dirs).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/recipe.lua");
    let r = neovim(
        scratch.path(),
        &[
            "-u".into(),
            init.display().to_string(),
            "-c".into(),
            format!("luafile {}", script.display()),
        ],
        Some(&path),
    );
    assert_eq!(r["filetype"], "ward", "{r:#}");
    assert_eq!(r["commentstring"], "// %s", "{r:#}");
    assert_eq!(r["name"], "ward", "{r:#}");
    let root = scratch.path().join("examples").canonicalize().unwrap();
    assert_eq!(r["root_dir"], root.display().to_string(), "{r:#}");
    let symbols = r["symbols"].as_array().unwrap();
    assert!(!symbols.is_empty(), "{r:#}");
    assert_eq!(r["same_client"], true, "{r:#}");
    assert_eq!(r["clients"], 1, "{r:#}");
}
