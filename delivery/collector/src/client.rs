//! The controller's side of the aggregate endpoint: one GET, its answer parsed back
//! into ward-health's rows. Any failure is an error the caller turns into a hold.

use std::time::Duration;

use ward_health::{CostRow, Row, Window};

/// The collector's aggregate for `window`, from the collector at `url`
/// (`http://host:port`).
pub fn aggregate(url: &str, window: &Window) -> Result<Vec<Row>, String> {
    figures(url, window).map(|(rows, _)| rows)
}

/// The collector's crash and cost aggregates for `window`, from one request.
pub fn figures(url: &str, window: &Window) -> Result<(Vec<Row>, Vec<CostRow>), String> {
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
        // A collector from before issue 18 sends none.
        #[serde(default)]
        costs: Vec<CostRow>,
    }
    serde_json::from_slice::<Answer>(&body)
        .map(|a| (a.rows, a.costs))
        .map_err(|e| format!("{url}: not an aggregate: {e}"))
}
