//! Installing a channel does not block evaluation of the current one: while an install is
//! held inside its file writes (after verification, before the swap), another thread
//! still takes the active channel and evaluates events on it; then the swap happens, and
//! a handle taken before it keeps the old channel.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;
mod support;

use std::io;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::*;
use support::{version, Hook, Hooked, Op};
use ward_runtime::*;
use ward_store::ChannelStore;

/// Holds the first file write, once armed, until the test lets it go.
#[derive(Debug)]
struct Gate {
    armed: Mutex<Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>>,
}

impl Hook for Gate {
    fn before(&self, op: Op<'_>) -> io::Result<()> {
        if let Op::CreateNew { .. } = op {
            if let Some((reached, go)) = self.armed.lock().unwrap().take() {
                reached.send(()).unwrap();
                // Bounded: a test that deadlocks fails instead of hanging.
                go.recv_timeout(Duration::from_secs(60)).unwrap();
            }
        }
        Ok(())
    }
}

#[test]
fn evaluation_goes_on_while_a_channel_installs() {
    let dir = tempfile::tempdir().unwrap();
    ChannelStore::open(dir.path(), &trust(), &host())
        .unwrap()
        .install(&sign1(&version(1)), &trust(), &host())
        .unwrap();
    // (That store is dropped at the end of the statement, unlocking the directory.)
    let (reached_tx, reached) = mpsc::channel();
    let (go, go_rx) = mpsc::channel();
    let gate = Gate {
        armed: Mutex::new(Some((reached_tx, go_rx))),
    };
    let store = Arc::new(
        ChannelStore::open_with(dir.path(), Box::new(Hooked(gate)), &trust(), &host()).unwrap(),
    );
    let event = event_with(&[
        (ADDR, Value::Ip("10.1.2.3".parse().unwrap())),
        (PORT, Value::Uint(4444)),
    ]);
    let expected = store.active(291).unwrap().evaluate(&event).unwrap();
    assert!(!expected.is_empty());

    let installer = {
        let store = Arc::clone(&store);
        thread::spawn(move || store.install(&sign1(&version(2)), &trust(), &host()))
    };
    // The install has verified version 2 and is inside its first file write.
    reached.recv_timeout(Duration::from_secs(60)).unwrap();
    let during = store.active(291).unwrap();
    assert_eq!(during.content_version(), 1);
    for _ in 0..100 {
        assert_eq!(during.evaluate(&event).unwrap(), expected);
    }
    go.send(()).unwrap();
    installer.join().unwrap().unwrap();

    assert_eq!(store.active(291).unwrap().content_version(), 2);
    // A handle taken before the swap still evaluates the channel it had.
    assert_eq!(during.content_version(), 1);
    assert_eq!(during.evaluate(&event).unwrap(), expected);
}
