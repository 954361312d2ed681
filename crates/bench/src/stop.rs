//! A one-shot stop signal that any number of tasks can wait for.

use std::sync::Arc;

use tokio::sync::watch;

#[derive(Clone)]
pub struct Stop(Arc<watch::Sender<bool>>);

impl Default for Stop {
    fn default() -> Self {
        Stop(Arc::new(watch::channel(false).0))
    }
}

impl Stop {
    pub fn fire(&self) {
        self.0.send_replace(true);
    }

    pub fn fired(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once [`Stop::fire`] was called (at once if it was already).
    pub async fn wait(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|v| *v).await;
    }
}
