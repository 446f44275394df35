//! Keeping libtiff quiet: the libtiff that OpenSlide reads TIFF files with prints its warnings
//! and errors (`TIFFReadDirectory: …`, `ZIPDecode: …`) straight to stderr, ahead of the error
//! Tessera reports. OpenSlide turns each failure into an error string of its own, which Tessera
//! reports naming the file, so libtiff's printed copies are switched off.

#[cfg(unix)]
use std::ffi::c_void;
#[cfg(unix)]
use std::sync::Once;

/// `TIFFSetErrorHandler` and `TIFFSetWarningHandler`: take a handler (null for none), return the
/// previous one.
#[cfg(unix)]
type SetHandler = unsafe extern "C" fn(*const c_void) -> *const c_void;

/// Sets libtiff's process-wide error and warning handlers to none, once; does nothing when no
/// libtiff is loaded in the global scope (an OpenSlide with libtiff linked in privately).
#[cfg(unix)]
pub(super) fn silence() {
    static SILENCED: Once = Once::new();
    SILENCED.call_once(|| {
        let program = libloading::os::unix::Library::this();
        for name in [&b"TIFFSetErrorHandler\0"[..], &b"TIFFSetWarningHandler\0"[..]] {
            // SAFETY: these libtiff functions have this signature in every libtiff version, and
            // a null handler is documented to mean "print nothing".
            unsafe {
                if let Ok(set) = program.get::<SetHandler>(name) {
                    set(std::ptr::null());
                }
            }
        }
    });
}

/// Elsewhere (Windows), nothing: OpenSlide's DLL from openslide-bin has libtiff linked in
/// privately, where its handlers cannot be looked up.
#[cfg(not(unix))]
pub(super) fn silence() {}
