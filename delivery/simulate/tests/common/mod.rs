//! What the simulator's tests share: the example scenarios, read as `ward simulate`
//! reads them.

use ward_simulate::Scenario;

/// `examples/scenarios/NAME.toml`, parsed and checked.
pub fn scenario(name: &str) -> Scenario {
    let path = format!(
        "{}/../../examples/scenarios/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    Scenario::parse(&std::fs::read_to_string(&path).unwrap()).unwrap()
}
