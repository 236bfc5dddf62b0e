//! The progress line on standard error during a long `check`: a spinner,
//! the current stage and the time so far. Shown only when standard error is
//! a terminal and `--quiet` is off, and only for long runs: at once when
//! there are more than [`MANY_FILES`] files, otherwise after [`DELAY`].
//! It is cleared before anything else is written.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// More files than this and the progress line shows at once.
pub const MANY_FILES: usize = 500;
/// A run that takes longer than this shows the progress line.
pub const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: Option<Shown>,
}

struct Shown {
    bar: ProgressBar,
    visible: Arc<AtomicBool>,
    /// Dropping it wakes the timer thread.
    stop: Option<Sender<()>>,
    timer: Option<JoinHandle<()>>,
}

impl Progress {
    /// A progress line that shows once the run proves long; nothing at all
    /// when `enabled` is false.
    pub fn new(enabled: bool) -> Self {
        if !enabled {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("a valid template")
                .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "),
        );
        let visible = Arc::new(AtomicBool::new(false));
        let (stop, wait) = mpsc::channel::<()>();
        let timer = {
            let bar = bar.clone();
            let visible = Arc::clone(&visible);
            std::thread::spawn(move || {
                if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(DELAY) {
                    reveal(&bar, &visible);
                }
            })
        };
        Progress {
            bar: Some(Shown {
                bar,
                visible,
                stop: Some(stop),
                timer: Some(timer),
            }),
        }
    }

    /// Names the stage the run is in; `files` is how many files it works
    /// on, which shows the line at once when there are many.
    pub fn stage(&self, message: String, files: usize) {
        if let Some(shown) = &self.bar {
            shown.bar.set_message(message);
            if files > MANY_FILES {
                reveal(&shown.bar, &shown.visible);
            }
        }
    }

    /// Clears the line and stops the timer (dropping does the same).
    pub fn finish(self) {}
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(mut shown) = self.bar.take() {
            drop(shown.stop.take());
            if let Some(timer) = shown.timer.take() {
                let _ = timer.join();
            }
            shown.bar.finish_and_clear();
        }
    }
}

fn reveal(bar: &ProgressBar, visible: &AtomicBool) {
    if !visible.swap(true, Ordering::SeqCst) {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(100));
        bar.tick();
    }
}
