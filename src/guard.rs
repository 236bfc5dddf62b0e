//! Panics as values: a bug met while reading one file or running one rule
//! becomes an error about that file or rule, and the run goes on.
//!
//! [`catch`] runs a closure under `catch_unwind`. The panic hook that
//! [`install_hook`] sets stays silent for panics inside [`catch`] (their
//! message and place are kept for the error instead), so the user sees one
//! clean diagnostic rather than Rust's panic banner in the middle of the
//! report. Panics anywhere else still reach the default hook.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

/// A panic caught by [`catch`]: its message and, when the hook is
/// installed, where it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panic {
    pub message: String,
    pub location: Option<String>,
}

impl std::fmt::Display for Panic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(at) = &self.location {
            write!(f, " at {at}")?;
        }
        Ok(())
    }
}

thread_local! {
    /// How many [`catch`] calls are running on this thread.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// Where the last panic caught on this thread happened.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`; a panic inside it is returned as an error. `f` is treated as
/// unwind-safe: callers discard whatever it was building when it panics.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    result.map_err(|payload| Panic {
        message: payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned()),
        location: LOCATION.with(|l| l.borrow_mut().take()),
    })
}

/// Installs the panic hook (once per process).
pub fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) > 0 {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else {
                default(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_value_with_its_message() {
        install_hook();
        assert_eq!(catch(|| 7), Ok(7));
        let panic = catch(|| -> u8 { panic!("boom {}", 1) }).unwrap_err();
        assert_eq!(panic.message, "boom 1");
        assert!(
            panic
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("src/guard.rs:")),
            "{panic:?}"
        );
        // Nested: the inner panic is caught by the inner call.
        let outer = catch(|| catch(|| -> u8 { panic!("inner") }).unwrap_err().message);
        assert_eq!(outer.as_deref(), Ok("inner"));
    }
}
