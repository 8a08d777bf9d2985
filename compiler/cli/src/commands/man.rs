//! `ward man [--out DIR]`: the manual page, generated from the same clap definitions that
//! parse the command line. To stdout, `ward.1` alone; with `--out`, `ward.1` and one
//! `ward-SUBCOMMAND.1` per subcommand, for a package to install under man1/.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory};

use crate::output::{fail, print_text, CLEAN};

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write ward.1 and a page per subcommand into this folder instead of printing ward.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &ManArgs) -> ExitCode {
    let command = crate::Cli::command();
    if let Some(dir) = &args.out {
        return match std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
        {
            Ok(()) => ExitCode::from(CLEAN),
            Err(e) => fail(format!(
                "cannot write manual pages to {}: {e}",
                dir.display()
            )),
        };
    }
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut page) {
        return fail(format!("cannot render the manual page: {e}"));
    }
    match print_text(&String::from_utf8_lossy(&page)) {
        Ok(()) => ExitCode::from(CLEAN),
        Err(code) => code,
    }
}
