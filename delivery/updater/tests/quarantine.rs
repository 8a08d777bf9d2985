//! The crash-loop guard and the updater agree: a version the guard quarantined is not
//! downloaded again at the next polls, though the rollout still offers it, and a newer
//! version is taken as usual. Counted in a real nginx's access log.

mod common;

use common::{trust_and_profile, Nginx, World};
use ward_updater::install::Outcome;

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
    assert!(w
        .host
        .store
        .sensor_started(&trust, &profile, now)
        .unwrap()
        .is_empty());
    w.publish(2);
    let report = w.update().unwrap();
    assert!(
        matches!(
            report.channels[0].outcome,
            Outcome::Installed { version: 2, .. }
        ),
        "{report:?}"
    );
    // The sensor dies twice on version 2: the second start rolls it back.
    assert!(w
        .host
        .store
        .sensor_started(&trust, &profile, now)
        .unwrap()
        .is_empty());
    let rolled = w.host.store.sensor_started(&trust, &profile, now).unwrap();
    assert_eq!(rolled.len(), 1, "{rolled:?}");
    assert_eq!(w.active(), Some(1));

    let before = target_requests(&nginx);
    for _ in 0..3 {
        let report = w.update().unwrap();
        assert!(
            matches!(
                report.channels[0].outcome,
                Outcome::Quarantined { version: 2 }
            ),
            "{report:?}"
        );
    }
    assert_eq!(
        target_requests(&nginx),
        before,
        "version 2 was downloaded again"
    );
    assert_eq!(w.active(), Some(1));

    w.publish(3);
    let report = w.update().unwrap();
    assert!(
        matches!(
            report.channels[0].outcome,
            Outcome::Installed { version: 3, .. }
        ),
        "{report:?}"
    );
    assert_eq!(target_requests(&nginx), before + 1);
}
