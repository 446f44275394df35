//! Deterministic fuzz inputs for the readers of untrusted files (cargo feature `fuzzing`, only
//! for tests: never in what ships).
//!
//! Each [`Target`] names a reader and numbers its inputs: the first [`Target::seeds`] are valid
//! files the reader must accept, every later one is a seeded, structure-aware mutation of a seed
//! (boundary integers in the format's header fields, cuts, insertions, splices, format-specific
//! hostility such as deep nesting, zip bombs or invalid UTF-8). Input `i` of a target is the same
//! everywhere, so that the Rust tests and the JNI tests (through the `test-hooks` natives) feed
//! the readers the very same bytes, and a failing index is reproducible.
//!
//! ```
//! use tessera_core::fuzz::Target;
//! let wkb = Target::from_name("wkb").unwrap();
//! assert_eq!(wkb.input(12_345), wkb.input(12_345));
//! assert!(tessera_core::geometry::wkb::from_wkb(&wkb.input(0)).is_ok(), "input 0 is a valid seed");
//! ```

mod geojson;
mod json;
mod mutate;
mod package;
mod tiff;
mod wkb;

use std::sync::OnceLock;

use crate::rng::Rng;

/// A reader of untrusted files that is fuzzed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// QuPath GeoJSON ([`Document::from_bytes`](crate::geometry::Document::from_bytes)).
    GeoJson,
    /// JTS WKB ([`from_wkb`](crate::geometry::wkb::from_wkb)).
    Wkb,
    /// `.tessera` model packages ([`Package::from_bytes`](crate::model::Package::from_bytes)).
    Package,
    /// JPEG-tiled TIFF slides ([`TiffSource::from_bytes`](crate::slide::TiffSource::from_bytes)).
    Tiff,
}

/// The inputs of one format: its valid seeds, then mutations of them.
trait Corpus: Send + Sync {
    /// The valid seeds, which are the first inputs.
    fn seeds(&self) -> &[Vec<u8>];

    /// A mutated input drawn with `rng`.
    fn mutated(&self, rng: &mut Rng) -> Vec<u8>;
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 4] = [Target::GeoJson, Target::Wkb, Target::Package, Target::Tiff];

    /// The target's name (`geojson`, `wkb`, `package`, `tiff`).
    pub fn name(self) -> &'static str {
        match self {
            Target::GeoJson => "geojson",
            Target::Wkb => "wkb",
            Target::Package => "package",
            Target::Tiff => "tiff",
        }
    }

    /// The target called `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Self::ALL.into_iter().find(|target| target.name() == name)
    }

    /// How many of the first inputs are valid seeds, which the reader must accept.
    pub fn seeds(self) -> usize {
        self.corpus().seeds().len()
    }

    /// Input `index`: a valid seed below [`Target::seeds`], a mutation of a seed above.
    pub fn input(self, index: u64) -> Vec<u8> {
        let corpus = self.corpus();
        match usize::try_from(index).ok().and_then(|i| corpus.seeds().get(i)) {
            Some(seed) => seed.clone(),
            None => corpus.mutated(&mut Rng::derived(self as u64, index)),
        }
    }

    /// The target's corpus, built once.
    fn corpus(self) -> &'static dyn Corpus {
        static CORPORA: [OnceLock<Box<dyn Corpus>>; 4] = [const { OnceLock::new() }; 4];
        CORPORA[self as usize]
            .get_or_init(|| match self {
                Target::GeoJson => Box::new(geojson::corpus()),
                Target::Wkb => Box::new(wkb::corpus()),
                Target::Package => Box::new(package::corpus()),
                Target::Tiff => Box::new(tiff::corpus()),
            })
            .as_ref()
    }
}
