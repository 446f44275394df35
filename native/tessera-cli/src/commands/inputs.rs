//! Command-line inputs shared by the commands that learn from annotated slides: slide and
//! annotation pairs, and the tiles to cut from them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tessera_core::geometry::Document;
use tessera_core::slide::{OpenSlideSource, Resolution};
use tessera_core::tiling::{select_regions, Selection, TileSpec, MAX_TILES};
use tessera_core::{Result, TesseraError};

/// Slides, their annotations, and the tiles to make.
#[derive(clap::Args)]
pub struct TileArgs {
    /// A slide; repeat for several, each followed by its --annotations.
    #[arg(long = "slide", required = true)]
    pub slides: Vec<PathBuf>,
    /// The QuPath GeoJSON export of the slide given at the same position.
    #[arg(long = "annotations", required = true)]
    pub annotations: Vec<PathBuf>,
    /// Tile side in output pixels.
    #[arg(long, default_value_t = 64)]
    pub tile_size: u32,
    /// Output pixel size in µm (needs slides that record theirs).
    #[arg(long, required_unless_present = "downsample", conflicts_with = "downsample")]
    pub mpp: Option<f64>,
    /// Output downsample from full resolution (1 = full resolution).
    #[arg(long)]
    pub downsample: Option<f64>,
    /// Overlap of neighbouring tiles as a fraction of the tile side, in [0, 1).
    #[arg(long, default_value_t = 0.0)]
    pub overlap: f64,
    /// The least fraction of a tile its polygon must cover, in [0, 1].
    #[arg(long, default_value_t = 0.5)]
    pub min_coverage: f64,
    /// Only use this class (repeat for several); default: every class except Ignore*.
    #[arg(long = "class")]
    pub classes: Vec<String>,
    /// Make the tiles even when there are more than a million (otherwise refused as a likely
    /// mistake in --tile-size, --overlap or the resolution).
    #[arg(long)]
    pub yes: bool,
}

/// Opened slides and the class colours their annotations give.
pub type Opened = (Vec<OpenedSlide>, BTreeMap<String, [u8; 3]>);

/// One slide opened with its chosen polygons.
pub struct OpenedSlide {
    /// The slide.
    pub source: OpenSlideSource,
    /// The slide's name (its file stem, numbered when repeated).
    pub name: String,
    /// The chosen polygons.
    pub selection: Selection,
}

impl TileArgs {
    /// The tile specification, checked.
    pub fn spec(&self) -> Result<TileSpec> {
        let resolution = match (self.mpp, self.downsample) {
            (Some(mpp), _) => Resolution::Mpp(mpp),
            (None, Some(downsample)) => Resolution::Downsample(downsample),
            (None, None) => return Err(TesseraError::invalid("give the output resolution with --mpp or --downsample")),
        };
        let spec = TileSpec {
            tile_size: self.tile_size,
            resolution,
            overlap: self.overlap,
            min_coverage: self.min_coverage,
            classes: (!self.classes.is_empty()).then(|| self.classes.clone()),
            max_tiles: if self.yes { None } else { Some(MAX_TILES) },
        };
        spec.validate()?;
        Ok(spec)
    }

    /// Opens every slide and chooses its polygons (see [`open_slides`]).
    pub fn open(&self, spec: &TileSpec) -> Result<Opened> {
        open_slides(&self.slides, &self.annotations, spec.classes.as_deref())
    }
}

/// Opens every slide and chooses the polygons of `classes` (all when `None`) from its annotation
/// file, before any pixel is read, so that a mistake in the last pair fails fast. Also returns
/// the class colours the annotations give.
pub fn open_slides(slides: &[PathBuf], annotations: &[PathBuf], classes: Option<&[String]>) -> Result<Opened> {
    if slides.len() != annotations.len() {
        return Err(TesseraError::invalid(format!(
            "{} --slide but {} --annotations: give one annotation file per slide, in the same order",
            slides.len(),
            annotations.len()
        )));
    }
    let mut used = BTreeMap::new();
    let mut colours = BTreeMap::new();
    let mut opened = Vec::with_capacity(slides.len());
    for (slide, annotations) in slides.iter().zip(annotations) {
        let source = OpenSlideSource::open(slide)?;
        let document = Document::read(annotations)?;
        for classification in document.objects.iter().filter_map(|o| o.classification.as_ref()) {
            if let Some(colour) = classification.color {
                colours.entry(classification.name.clone()).or_insert(colour);
            }
        }
        let selection = select_regions(&document, annotations, classes)?;
        warn_overlaps(&selection, annotations);
        let stem = slide.file_stem().map_or_else(|| "slide".into(), |s| s.to_string_lossy().into_owned());
        let count = used.entry(stem.clone()).or_insert(0);
        *count += 1;
        let name = if *count == 1 { stem } else { format!("{stem}-{count}") };
        opened.push(OpenedSlide { source, name, selection });
    }
    Ok((opened, colours))
}

/// Warns (on stderr) of polygons of different classes that overlap in `annotations`, the first
/// few by name.
fn warn_overlaps(selection: &Selection, annotations: &Path) {
    const SHOWN: usize = 3;
    for overlap in selection.overlaps.iter().take(SHOWN) {
        eprintln!("warning: {}: {overlap}", annotations.display());
    }
    if selection.overlaps.len() > SHOWN {
        eprintln!(
            "warning: {}: {} more overlaps between polygons of different classes",
            annotations.display(),
            selection.overlaps.len() - SHOWN
        );
    }
}

/// What names each slide and annotation file on the command line, for messages.
pub fn named_inputs<'a>(slides: &'a [PathBuf], annotations: &'a [PathBuf]) -> Vec<(&'static str, &'a Path)> {
    let slides = slides.iter().map(|s| ("the slide given with --slide", s.as_path()));
    slides.chain(annotations.iter().map(|a| ("the annotations given with --annotations", a.as_path()))).collect()
}
