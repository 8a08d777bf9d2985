//! The event queue: one bucket per simulated second, each a list of events in the order
//! they were queued. Ten million hosts with a pending event each cost 40 MB here, where
//! a binary heap of every poll would hold billions of entries; taking the events of a
//! second in order is what makes a run deterministic.

/// An event: a host number and what happens to it, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event(u32);

/// What happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The updater polls the origin.
    Poll,
    /// Forward the host's polls to now and queue the next one (a delay or a window ends).
    Wake,
    Online,
    Offline,
    /// The sensor starts again after it died.
    Start,
    /// The settle time after an activation has passed.
    Settle,
    /// The four-hourly healthy beacon.
    Heartbeat,
    /// The sensor dies for a reason that has nothing to do with the release.
    Crash,
}

const KINDS: [Kind; 8] = [
    Kind::Poll,
    Kind::Wake,
    Kind::Online,
    Kind::Offline,
    Kind::Start,
    Kind::Settle,
    Kind::Heartbeat,
    Kind::Crash,
];

impl Event {
    pub fn new(host: u32, kind: Kind) -> Event {
        let k = KINDS.iter().position(|x| *x == kind).unwrap_or(0) as u32;
        Event(host << 4 | k)
    }

    pub fn host(self) -> u32 {
        self.0 >> 4
    }

    pub fn kind(self) -> Kind {
        KINDS
            .get((self.0 & 15) as usize)
            .copied()
            .unwrap_or(Kind::Poll)
    }
}

/// Buckets for seconds `0..=horizon`; events after the horizon are dropped.
#[derive(Debug)]
pub struct Queue<T> {
    buckets: Vec<Vec<T>>,
}

impl<T> Queue<T> {
    pub fn new(horizon: u32) -> Queue<T> {
        Queue {
            buckets: (0..=horizon).map(|_| Vec::new()).collect(),
        }
    }

    pub fn push(&mut self, at: u32, item: T) {
        if let Some(b) = self.buckets.get_mut(at as usize) {
            b.push(item);
        }
    }

    /// The events of second `at`, taken out (events queued for `at` meanwhile land in
    /// the bucket again, so the caller takes until it is empty).
    pub fn take(&mut self, at: u32) -> Vec<T> {
        self.buckets
            .get_mut(at as usize)
            .map(std::mem::take)
            .unwrap_or_default()
    }
}
