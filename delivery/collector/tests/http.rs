//! The endpoint over real HTTP on loopback: a good batch is stored and acknowledged,
//! the same batch again stores nothing, and every kind of bad request gets its status
//! and reason while the server goes on serving.

use ward_collector::{Collector, Config};
use ward_health::auth::sign;
use ward_health::beacon::{Batch, Beacon, Kind, FORMAT, MAX_BATCH_BYTES};
use ward_tuf::KeyPair;

fn start() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let collector = Collector::bind(Config::new("127.0.0.1:0", dir.path().join("b.db"))).unwrap();
    let url = format!("http://{}", collector.addr().unwrap());
    std::thread::spawn(move || collector.serve(|| 1_764_000_000));
    (url, dir)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// POSTs `body` with the given headers; the status and the answer.
fn post(url: &str, body: &[u8], headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut request = agent().post(format!("{url}/v1/beacons"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let mut response = request.send(body).unwrap();
    let text = response.body_mut().read_to_string().unwrap();
    (
        response.status().as_u16(),
        serde_json::from_str(&text).unwrap(),
    )
}

fn signed_post(url: &str, key: &KeyPair, body: &[u8]) -> (u16, serde_json::Value) {
    let s = sign(key, body);
    post(
        url,
        body,
        &[("X-Ward-Key", &s.key), ("X-Ward-Signature", &s.signature)],
    )
}

fn batch(host: &str, ids: &[&str], at: u64) -> Vec<u8> {
    Batch {
        v: FORMAT,
        summaries: Vec::new(),
        host: host.into(),
        beacons: ids
            .iter()
            .map(|id| Beacon {
                id: (*id).into(),
                kind: Kind::Crashed,
                at,
                channel: 7,
                version: 2,
                ring: "canary".into(),
                sensor: "windows_7_13".into(),
            })
            .collect(),
    }
    .to_body()
}

#[test]
fn good_duplicated_and_bad_requests() {
    let (url, _dir) = start();
    let host = KeyPair::from_seed([1; 32]);
    let now = 1_764_000_000;
    let body = batch("h1", &["a", "b"], now);
    let (status, answer) = signed_post(&url, &host, &body);
    assert_eq!(
        (status, &answer["stored"], &answer["enrolled"]),
        (200, &2.into(), &true.into()),
        "{answer}"
    );
    let (status, answer) = signed_post(&url, &host, &body);
    assert_eq!(
        (status, &answer["stored"], &answer["duplicates"]),
        (200, &0.into(), &2.into())
    );

    let refused = |(status, answer): (u16, serde_json::Value)| {
        (status, answer["error"].as_str().unwrap().to_string())
    };
    assert_eq!(refused(post(&url, &body, &[])).0, 401);
    let s = sign(&host, &body);
    let tampered = batch("h1", &["a", "c"], now);
    assert_eq!(
        refused(post(
            &url,
            &tampered,
            &[("X-Ward-Key", &s.key), ("X-Ward-Signature", &s.signature)]
        )),
        (
            401,
            "the signature does not verify for this body and key".into()
        )
    );
    let (status, why) = refused(signed_post(&url, &host, b"{\"v\":1,"));
    assert_eq!(status, 400);
    assert!(
        why.starts_with("not a beacon batch: EOF while parsing"),
        "{why}"
    );
    let big = vec![b' '; MAX_BATCH_BYTES + 1];
    assert_eq!(refused(signed_post(&url, &host, &big)).0, 413);
    let other = KeyPair::from_seed([2; 32]);
    assert_eq!(
        refused(signed_post(&url, &other, &batch("h1", &["z"], now))),
        (403, "host `h1` is enrolled under another key".into())
    );
    let (status, why) = refused(signed_post(&url, &host, &batch("h1", &["f"], now + 3600)));
    assert_eq!(status, 400);
    assert!(why.contains("ahead of the collector's clock"), "{why}");

    // The aggregate: host h1 once, crashed, whatever it sent.
    let get = |query: &str| {
        let mut r = agent().get(format!("{url}{query}")).call().unwrap();
        let text = r.body_mut().read_to_string().unwrap();
        (
            r.status().as_u16(),
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        )
    };
    let (status, answer) = get(&format!(
        "/v1/aggregate?channel=7&since=0&until={}",
        now + 1
    ));
    assert_eq!(status, 200);
    let rows = answer["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{answer}");
    assert_eq!(
        (&rows[0]["reporting"], &rows[0]["crashed"], &rows[0]["bad"]),
        (&1.into(), &1.into(), &1.into())
    );
    assert_eq!(get("/v1/aggregate?channel=7&since=x&until=1").0, 400);
    assert_eq!(
        get("/v1/aggregate?since=0&until=1").1["error"],
        "`channel` is required"
    );
    assert_eq!(get("/nowhere").0, 404);
}
