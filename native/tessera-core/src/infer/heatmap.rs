//! Low-resolution probability maps, one per class, for a quick look at a whole slide.
//!
//! A map pixel where no tile was computed (outside the tissue or the ROI) is not a probability
//! of 0: it has no value, and the written image marks it transparent ([`Heatmap::grey_alpha`]).

use std::path::Path;

use super::blend::{Blender, Row};
use super::cells::Cells;
use crate::model::ClassInfo;
use crate::names::safe_file_name;
use crate::png_file;
use crate::{Result, TesseraError};

/// The longest side of a segmentation heatmap, in pixels.
pub const MAX_SIDE: usize = 2048;

/// One class's probability map: 8-bit grey (255 = probability 1), no value where nothing was
/// computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    /// The class.
    pub class: String,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major grey values; `None` where no tile was computed.
    pub pixels: Vec<Option<u8>>,
    /// Level-0 position of the map's top-left corner.
    pub origin: (f64, f64),
    /// Level-0 pixels per map pixel.
    pub scale: f64,
}

impl Heatmap {
    /// The map as 8-bit grey + alpha pairs, row-major, as written to a PNG: where a tile was
    /// computed, the probability's grey with alpha 255; elsewhere grey 0 with alpha 0
    /// (transparent), so that "not computed" never reads as probability 0.
    pub fn grey_alpha(&self) -> Vec<u8> {
        self.pixels.iter().flat_map(|pixel| pixel.map_or([0, 0], |grey| [grey, u8::MAX])).collect()
    }
}

/// Writes `DIR/<class>.png` for each heatmap (the folder created when missing): 8-bit grey +
/// alpha as [`Heatmap::grey_alpha`] gives it, each file written atomically, the class made a safe
/// file name. What `tessera apply --heatmap` and QuPath's `heatmaps(folder)` write.
pub fn write_pngs(heatmaps: &[Heatmap], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| TesseraError::io(dir, source))?;
    for heatmap in heatmaps {
        let path = dir.join(format!("{}.png", safe_file_name(&heatmap.class)));
        let size = |side: usize| u32::try_from(side).map_err(|_| TesseraError::invalid(format!("heatmap side {side}")));
        let (width, height) = (size(heatmap.width)?, size(heatmap.height)?);
        png_file::write(&path, width, height, png::ColorType::GrayscaleAlpha, &heatmap.grey_alpha())?;
    }
    Ok(())
}

fn grey(probability: f32) -> u8 {
    (probability.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Per class, one pixel per cell of a tile classification.
pub fn from_cells(cells: &Cells, probabilities: &[f32], classes: &[ClassInfo]) -> Vec<Heatmap> {
    let owners = cells.owners();
    classes
        .iter()
        .enumerate()
        .map(|(index, class)| Heatmap {
            class: class.name.clone(),
            width: cells.columns,
            height: cells.rows,
            pixels: owners.iter().map(|o| o.map(|tile| grey(probabilities[tile * classes.len() + index]))).collect(),
            origin: cells.origin,
            scale: cells.side,
        })
        .collect()
}

/// Per class, a segmentation's blended rows sampled down to at most [`MAX_SIDE`] pixels a side,
/// collected as the rows are finished.
pub struct Sampler {
    heatmaps: Vec<Heatmap>,
    step: usize,
}

impl Sampler {
    /// A sampler for `blender`'s canvas and these classes.
    pub fn new(blender: &Blender, classes: &[ClassInfo]) -> Self {
        let (width, height) = blender.size();
        let step = width.max(height).div_ceil(MAX_SIDE).max(1);
        let (origin, scale) = blender.placement();
        let heatmaps = classes
            .iter()
            .map(|class| Heatmap {
                class: class.name.clone(),
                width: width.div_ceil(step),
                height: 0,
                pixels: Vec::new(),
                origin,
                scale: scale * step as f64,
            })
            .collect();
        Self { heatmaps, step }
    }

    /// Takes one finished row (kept when it falls on the sampling grid).
    pub fn take(&mut self, row: &Row) {
        if !row.y.is_multiple_of(self.step) {
            return;
        }
        let width = row.labels.len();
        for (class, heatmap) in self.heatmaps.iter_mut().enumerate() {
            let values = &row.probabilities[class * width..][..width];
            heatmap.pixels.extend((0..width).step_by(self.step).map(|x| row.labels[x].map(|_| grey(values[x]))));
            heatmap.height += 1;
        }
    }

    /// The heatmaps.
    pub fn finish(self) -> Vec<Heatmap> {
        self.heatmaps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiling::{Tile, TilePlan};

    fn tile(x: i64, y: i64) -> Tile {
        Tile { x, y, w: 10, h: 10, label: "A".into(), coverage: 1.0, polygon_id: "p".into(), slide: "s".into() }
    }

    fn classes() -> Vec<ClassInfo> {
        vec![ClassInfo::new("Tumor", [200, 0, 0]), ClassInfo::new("Stroma", [0, 150, 0])]
    }

    /// Three tiles on a 4×1 grid, the third cell never computed; the first tile is certainly Stroma.
    fn heatmaps() -> Vec<Heatmap> {
        let tiles = vec![tile(0, 0), tile(10, 0), tile(30, 0)];
        let plan = TilePlan { slide: "s".into(), downsample: 1.0, tile_size: 10, tiles };
        let cells = Cells::of(&plan).unwrap();
        from_cells(&cells, &[0.0, 1.0, 0.5, 0.5, 0.75, 0.25], &classes())
    }

    #[test]
    fn cells_without_a_tile_have_no_value_and_probability_zero_has_one() {
        let maps = heatmaps();
        assert_eq!((maps[0].width, maps[0].height), (4, 1));
        assert_eq!(maps[0].pixels, vec![Some(0), Some(128), None, Some(191)]);
        assert_eq!(maps[1].pixels, vec![Some(255), Some(128), None, Some(64)]);
    }

    #[test]
    fn written_pixels_are_transparent_where_not_computed_and_opaque_where_computed() {
        let tumour = &heatmaps()[0];
        // Probability 0 is opaque black; not computed is transparent.
        assert_eq!(tumour.grey_alpha(), vec![0, 255, 128, 255, 0, 0, 191, 255]);
    }

    #[test]
    fn each_class_is_written_as_a_grey_alpha_png_named_by_the_class() {
        let dir = std::env::temp_dir().join(format!("tessera-heatmaps-{}", std::process::id()));
        let mut maps = heatmaps();
        maps[1].class = "../Stroma".into();
        write_pngs(&maps, &dir).unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["Tumor.png", "_.._Stroma.png"], "safe names, inside the folder, no temporary file left");
        let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(dir.join("Tumor.png")).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height, info.color_type), (4, 1, png::ColorType::GrayscaleAlpha));
        assert_eq!(&pixels[..info.buffer_size()], maps[0].grey_alpha().as_slice());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn segmentation_pixels_without_a_tile_have_no_value() {
        let blender = Blender::new((0.0, 0.0, 3.0, 1.0), 1.0, 2).unwrap();
        let mut sampler = Sampler::new(&blender, &classes());
        let labels = [Some(1), None, Some(0)];
        // Class-major: Tumor's row, then Stroma's.
        let probabilities = [0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        sampler.take(&Row { y: 0, labels: &labels, probabilities: &probabilities });
        let maps = sampler.finish();
        assert_eq!((maps[0].width, maps[0].height), (3, 1));
        assert_eq!(maps[0].pixels, vec![Some(0), None, Some(255)]);
        assert_eq!(maps[1].pixels, vec![Some(255), None, Some(0)]);
    }
}
