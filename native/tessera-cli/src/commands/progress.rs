//! Terminal progress bars for the commands' long steps.

use indicatif::{ProgressBar, ProgressStyle};
use tessera_core::job::ProgressSink;

/// A progress bar a job reports to; hidden with `--quiet`.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar counting `unit` (e.g. "tiles", "steps"), with a message slot, or a hidden one.
    pub fn new(unit: &str, quiet: bool) -> Self {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new(0) };
        let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{per_sec}}  eta {{eta}}  {{msg}}");
        bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
        Self(bar)
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl ProgressSink for Bar {
    fn report(&self, done: u64, total: u64, message: &str) {
        self.0.set_length(total);
        self.0.set_position(done);
        self.0.set_message(message.to_owned());
    }
}
