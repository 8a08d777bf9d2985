//! `ward-host`: the reference sensor host as a process. Everything it does is in the
//! library (`ward_host::run`); this file reads the flags and turns a fatal error into
//! its message and exit code.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let options = ward_host::Options::parse();
    let fatal = ward_host::run(&options);
    eprintln!("ward-host: {}", fatal.message);
    ExitCode::from(fatal.code)
}
