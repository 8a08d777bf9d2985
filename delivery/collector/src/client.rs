//! The controller's side of the aggregate endpoint: one GET, its answer parsed back
//! into ward-health's rows. Any failure is an error the caller turns into a hold.

use std::time::Duration;

use ward_health::{Row, Window};

/// The collector's aggregate for `window`, from the collector at `url`
/// (`http://host:port`).
pub fn aggregate(url: &str, window: &Window) -> Result<Vec<Row>, String> {
    let url = format!(
        "{}/v1/aggregate?channel={}&since={}&until={}",
        url.trim_end_matches('/'),
        window.channel,
        window.since,
        window.until
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut response = agent.get(&url).call().map_err(|e| format!("{url}: {e}"))?;
    let body = response
        .body_mut()
        .with_config()
        .limit(16 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| format!("{url}: {e}"))?;
    #[derive(serde::Deserialize)]
    struct Answer {
        rows: Vec<Row>,
    }
    serde_json::from_slice::<Answer>(&body)
        .map(|a| a.rows)
        .map_err(|e| format!("{url}: not an aggregate: {e}"))
}
