//! The crash-loop guard and the updater agree: a version the guard quarantined is not
//! downloaded again at the next polls, though the rollout still offers it, and a newer
//! version is taken as usual. Counted in a real nginx's access log.

mod common;

use common::{trust_and_profile, Nginx, World};
use ward_updater::install::Outcome;

/// One poll, and what it did to the one channel, in short.
fn poll(w: &mut World) -> String {
    let report = w.update().unwrap();
    match &report.channels[..] {
        [c] => match c.outcome {
            Outcome::Installed { version, .. } => format!("installed {version}"),
            Outcome::Quarantined { version } => format!("quarantined {version}"),
            _ => format!("{report:?}"),
        },
        _ => format!("{report:?}"),
    }
}

/// Requests for channel files so far.
fn target_requests(nginx: &Nginx) -> usize {
    nginx
        .requests_after(0)
        .iter()
        .filter(|(_, _, _, uri)| uri.starts_with("/repo/targets/"))
        .count()
}

#[test]
fn a_quarantined_version_is_not_downloaded_again() {
    let tmp = tempfile::TempDir::new().unwrap();
    let nginx = Nginx::serve(tmp.path());
    let mut w = World::with_base(tmp, nginx.url("repo"));
    let (trust, profile) = trust_and_profile();
    let now = ward_tuf::time::now();
    let start = |w: &World| w.host.store.sensor_started(&trust, &profile, now).unwrap();
    assert!(start(&w).is_empty());
    w.publish(2);
    assert_eq!(poll(&mut w), "installed 2");
    // The sensor dies twice on version 2: the second start rolls it back.
    assert!(start(&w).is_empty());
    let rolled = start(&w);
    assert_eq!(rolled.len(), 1, "{rolled:?}");
    assert_eq!(w.active(), Some(1));

    let before = target_requests(&nginx);
    for _ in 0..3 {
        assert_eq!(poll(&mut w), "quarantined 2");
    }
    assert_eq!(
        target_requests(&nginx),
        before,
        "version 2 was downloaded again"
    );
    assert_eq!(w.active(), Some(1));

    w.publish(3);
    assert_eq!(poll(&mut w), "installed 3");
    assert_eq!(target_requests(&nginx), before + 1);
}
