//! Generates the parser from `src/grammar.lalrpop` at build time.

fn main() {
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .process()
        .expect("the Ward grammar must generate a parser");
}
