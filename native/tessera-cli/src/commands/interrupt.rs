//! Ctrl-C (and SIGTERM, SIGHUP): the first press cancels the running job (which then stops between batches, writes
//! nothing and exits with code 130); a second press ends the process at once.

use std::sync::OnceLock;

use tessera_core::job::CancelToken;

static TOKEN: OnceLock<CancelToken> = OnceLock::new();

/// The token every job of this process shares; Ctrl-C cancels it.
pub fn token() -> CancelToken {
    TOKEN
        .get_or_init(|| {
            let token = CancelToken::new();
            let handler = token.clone();
            let installed = ctrlc::set_handler(move || {
                if handler.is_cancelled() {
                    std::process::exit(130);
                }
                eprintln!("\ncancelling… (press Ctrl-C again to quit at once)");
                handler.cancel();
            });
            if let Err(error) = installed {
                eprintln!("warning: Ctrl-C will end tessera without cleaning up: {error}");
            }
            token
        })
        .clone()
}
