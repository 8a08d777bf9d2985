//! `ward collect` as a real process: beacons sent while it is killed with `kill -9`
//! (SIGKILL, no chance to flush) are all there after a restart if they were
//! acknowledged; batches sent again after the restart are duplicates; and malformed
//! or oversized requests do not stop it.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::{collector, KillOnDrop};
use ward_collector::Store;
use ward_health::auth::sign;
use ward_health::beacon::{Batch, Beacon, Kind, FORMAT};
use ward_tuf::KeyPair;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into()
}

/// A batch of `n` crash beacons with ids `{round}-{i}`, signed; its body and headers.
fn batch(
    key: &KeyPair,
    host: &str,
    round: usize,
    n: usize,
) -> (Vec<u8>, String, String, Vec<String>) {
    let ids: Vec<String> = (0..n).map(|i| format!("{round}-{i}")).collect();
    let body = Batch {
        v: FORMAT,
        summaries: Vec::new(),
        host: host.into(),
        beacons: ids
            .iter()
            .map(|id| Beacon {
                id: id.clone(),
                kind: Kind::Crashed,
                at: ward_tuf::time::now(),
                channel: 1,
                version: 2,
                ring: "canary".into(),
                sensor: "windows_7_13".into(),
            })
            .collect(),
    }
    .to_body();
    let s = sign(key, &body);
    (body, s.key, s.signature, ids)
}

/// POSTs a batch; the status, or None if the connection failed.
fn send(url: &str, body: &[u8], key: &str, sig: &str) -> Option<u16> {
    agent()
        .post(format!("{url}/v1/beacons"))
        .header("X-Ward-Key", key)
        .header("X-Ward-Signature", sig)
        .send(body)
        .ok()
        .map(|r| r.status().as_u16())
}

#[test]
fn no_acknowledged_beacon_is_lost_to_kill_9_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("beacons.db");
    let key = KeyPair::from_seed([3; 32]);
    let (mut child, url) = collector(&db);

    // Garbage first: the collector answers it and goes on.
    assert_eq!(send(&url, b"not json", "00", "00"), Some(401));
    let (body, k, s, _) = batch(&key, "host-1", 0, 1);
    assert_eq!(send(&url, &body, &k, &s), Some(200));
    let big = vec![b'x'; 65 * 1024];
    let sb = sign(&key, &big);
    assert_eq!(send(&url, &big, &sb.key, &sb.signature), Some(413));

    // Two senders as fast as they can, each remembering what was acknowledged, while
    // the collector is killed under them.
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..2)
        .map(|s| {
            let (acked, stop, url) = (Arc::clone(&acked), Arc::clone(&stop), url.clone());
            std::thread::spawn(move || {
                let key = KeyPair::from_seed([10 + s as u8; 32]);
                let host = format!("sender-{s}");
                for round in 1.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let (body, k, sig, ids) = batch(&key, &host, round, 20);
                    match send(&url, &body, &k, &sig) {
                        Some(200) => acked
                            .lock()
                            .unwrap()
                            .extend(ids.into_iter().map(|id| (host.clone(), id))),
                        Some(other) => panic!("status {other}"),
                        None => break, // the collector is gone
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acked.lock().unwrap().len() < 400 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for s in senders {
        s.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 400,
        "only {} acknowledged before the kill",
        acked.len()
    );

    // Every acknowledged beacon is in the database, read while no collector runs.
    {
        let store = Store::open(&db).unwrap();
        let lost: Vec<_> = acked
            .iter()
            .filter(|(h, id)| !store.has(h, id).unwrap())
            .collect();
        assert!(
            lost.is_empty(),
            "{} of {} acknowledged beacons lost, e.g. {:?}",
            lost.len(),
            acked.len(),
            lost.first()
        );
    }

    // Restarted on the same database, it takes the first batches again as duplicates
    // and serves the aggregate of everything.
    let (child, url) = collector(&db);
    // Killed however the test ends: a collector left running would outlive the test and
    // hold its output pipe open.
    let _child = KillOnDrop(child);
    let (body, k, s, _) = batch(&KeyPair::from_seed([10; 32]), "sender-0", 1, 20);
    let mut r = agent()
        .post(format!("{url}/v1/beacons"))
        .header("X-Ward-Key", &k)
        .header("X-Ward-Signature", &s)
        .send(&body[..])
        .unwrap();
    let answer: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(
        (&answer["stored"], &answer["duplicates"]),
        (&0.into(), &20.into()),
        "{answer}"
    );
    let mut r = agent()
        .get(format!(
            "{url}/v1/aggregate?channel=1&since=0&until={}",
            ward_tuf::time::now() + 60
        ))
        .call()
        .unwrap();
    let answer: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    // host-1, and each sender that had a batch acknowledged before the kill (on a busy
    // machine one sender can reach the 400 alone).
    let senders: std::collections::BTreeSet<&str> = acked.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        answer["rows"][0]["crashed"],
        senders.len() + 1,
        "every host with an acknowledged crash counted once: {answer}"
    );
}
