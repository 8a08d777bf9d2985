//! Peak memory of loading a channel, measured from outside with `/usr/bin/time -v`:
//! `peak write N FILE` writes the signed benchmark channel of N instances (benches/mix);
//! `peak load FILE` reads and verifies it, evaluates the benchmark events, and prints what
//! `memory_bytes` estimates, so the estimate can be set beside the process's peak.

#[path = "../benches/mix/mod.rs"]
mod mix;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[1..] {
        ["write", n, file] => {
            let (bytes, _) = mix::signed(n.parse().expect("an instance count"));
            std::fs::write(file, bytes).expect("the file is written");
        }
        ["load", file] => {
            let bytes = std::fs::read(file).expect("the file is read");
            let decoded = ward_runtime::decode(&bytes).expect("the file decodes");
            let host = mix::host(&decoded.channel);
            let n = decoded.channel.instances.len() as u32;
            drop(decoded);
            let v = ward_runtime::verify(&bytes, &mix::trust(), &host).expect("it verifies");
            drop(bytes);
            let matched: usize = mix::events(n, 200)
                .iter()
                .map(|e| v.evaluate(e).expect("the event evaluates").len())
                .sum();
            println!(
                "{n} instances, {matched} matches; memory_bytes {} ({} per instance)",
                v.memory_bytes(),
                v.memory_bytes() / n as usize
            );
        }
        _ => {
            eprintln!("usage: peak write N FILE | peak load FILE");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
