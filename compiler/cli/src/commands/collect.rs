//! `ward collect --listen ADDR --db FILE`: the beacon collector. The logic is
//! `ward_collector`; this binds, says where it listens (the real port when `:0` was
//! asked for, so a test or a supervisor can read it), and serves until it is stopped.
//! Stopping it at any moment, `kill -9` included, loses no acknowledged beacon.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ward_collector::{Collector, Config};

use crate::output::{fail, CLEAN};

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Address to listen on, e.g. 127.0.0.1:8470 (port 0: any free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// The SQLite database (created if missing; WAL mode, fsync before each answer).
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// New hosts enrolled per minute, at most (a flood of forged hosts is refused).
    #[arg(long, value_name = "N", default_value_t = Config::new("", "").enroll_per_minute)]
    pub enroll_per_minute: u64,
}

pub fn run(args: &CollectArgs) -> ExitCode {
    let config = Config {
        enroll_per_minute: args.enroll_per_minute,
        ..Config::new(args.listen.clone(), args.db.clone())
    };
    let collector = match Collector::bind(config) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if let Some(addr) = collector.addr() {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    match collector.serve(ward_tuf::time::now) {
        Ok(()) => ExitCode::from(CLEAN),
        Err(e) => fail(e),
    }
}
