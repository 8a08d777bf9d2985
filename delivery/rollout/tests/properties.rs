//! Properties of `decide` over random hosts, policies, rollout states and times (issue
//! 13): a host outside the rings that have opened never takes the release; a paused
//! host never takes anything and a pinned one moves only to its pin (but for leaving a
//! halted release, which waits for nothing); a halted release is never taken. (That a
//! stale timestamp cannot bring a halted state back is the TUF client's rollback
//! check, tested with the real client in ward-updater's `tests/rings.rs`.)

use proptest::prelude::*;
use ward_rollout::decide::host_ring;
use ward_rollout::{decide, Decision, HostId, HostView, Offer, Pin, Plan, Policy, Release, Status};

const T0: u64 = 1_796_601_600;
const N: u64 = 5;

/// A release of the default plan that reached `ring`, maybe halted or held.
fn release(ring: usize, status: u8, start: u64) -> Release {
    let plan = Plan::default();
    let mut r = Release::start(7, N, start);
    let mut now = start;
    for i in 0..ring.min(plan.rings.len() - 1) {
        now += plan.rings[i].bake_secs;
        r.advance(&plan, now).unwrap();
    }
    match status {
        1 => r.hold("looking", now).unwrap(),
        2 => r.halt("crashes", now).unwrap(),
        _ => {}
    }
    r
}

/// `decide` for the case: the release of the default plan at `ring` (halted when
/// `status` is 2), the host, and the time `later` seconds after publishing.
fn decide_case(
    id: [u8; 16],
    r: &Release,
    active: Option<u64>,
    policy: Option<&Policy>,
    later: u64,
) -> (Decision, usize) {
    let plan = Plan::default();
    let id = HostId(id);
    let offer = Offer {
        channel_id: 7,
        version: N,
        plan: Some(&plan),
        release: Some(r),
        previous: Some(N - 1),
    };
    let host = HostView {
        id: &id,
        active,
        policy,
    };
    (
        decide(&offer, &host, T0 + later),
        host_ring(&plan, &offer, &host),
    )
}

fn policy() -> impl Strategy<Value = Policy> {
    let ring = prop_oneof![
        Just(None),
        Just(Some("internal".to_string())),
        Just(Some("canary".to_string())),
        Just(Some("general".to_string())),
        Just(Some("not-a-ring".to_string())),
    ];
    let pin = prop_oneof![
        Just(None),
        Just(Some(Pin::Previous)),
        (1u64..8).prop_map(|v| Some(Pin::Version(v))),
    ];
    (ring, 0u32..=72, any::<bool>(), pin).prop_map(|(ring, delay_hours, pause, pin)| Policy {
        ring,
        delay_hours,
        pause,
        pin,
        ..Policy::default()
    })
}

fn case() -> impl Strategy<Value = ([u8; 16], usize, u8, Option<u64>, Option<Policy>, u64)> {
    (
        any::<[u8; 16]>(),
        0usize..4,
        0u8..3,
        prop_oneof![Just(None), (1u64..8).prop_map(Some)],
        prop_oneof![Just(None), policy().prop_map(Some)],
        0u64..(4 * 86_400),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_host_outside_the_open_rings_never_takes_the_release(
        (id, ring, status, active, policy, later) in case()
    ) {
        let r = release(ring, status, T0);
        let pinned_to_n = policy.as_ref().and_then(|p| p.pin) == Some(Pin::Version(N));
        let (d, host_ring) = decide_case(id, &r, active, policy.as_ref(), later);
        if d == Decision::Take(N) {
            prop_assert!(host_ring <= r.ring || pinned_to_n);
            prop_assert_ne!(r.status, Status::Halted);
        }
    }

    #[test]
    fn a_paused_host_takes_nothing_and_a_pinned_one_moves_only_to_its_pin(
        (id, ring, status, active, policy, later) in case()
    ) {
        let r = release(ring, status, T0);
        let Some(policy) = policy else { return Ok(()) };
        let (d, _) = decide_case(id, &r, active, Some(&policy), later);
        let leaving_a_halt = r.status == Status::Halted && active == Some(N) && d == Decision::FallBack(N - 1);
        match policy.pin {
            Some(pin) => {
                let to = match pin { Pin::Version(v) => v, Pin::Previous => N - 1 };
                match d {
                    Decision::Take(v) | Decision::FallBack(v) => prop_assert!(v == to || leaving_a_halt, "{d:?} under {pin:?}"),
                    Decision::Stay(_) => {}
                }
            }
            None if policy.pause => prop_assert!(matches!(d, Decision::Stay(_)) || leaving_a_halt, "{d:?}"),
            None => {}
        }
    }

    #[test]
    fn a_halted_release_is_never_taken((id, ring, _status, active, policy, later) in case()) {
        let r = release(ring, 2, T0);
        let (d, _) = decide_case(id, &r, active, policy.as_ref(), later);
        prop_assert!(d != Decision::Take(N), "{d:?}");
        if active == Some(N) {
            prop_assert_eq!(d, Decision::FallBack(N - 1));
        }
    }
}
