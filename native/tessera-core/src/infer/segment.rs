//! Segmentation over a plan, a band of tile rows at a time: each band's tiles are predicted,
//! blended into the canvas, and the rows no later tile reaches are finished and handed on, so
//! memory follows the region's width, not its area.

use std::sync::atomic::{AtomicU64, Ordering};

use super::blend::{Blender, Row};
use super::heatmap::{Heatmap, Sampler};
use super::labels::LabelMap;
use super::{pipeline, OutputKind, Predictor};
use crate::job::{CancelToken, Job, ProgressSink};
use crate::model::ClassInfo;
use crate::slide::RegionSource;
use crate::tiling::TilePlan;
use crate::{Result, TesseraError};

/// Batches per band: enough to keep the model busy while the band's last tiles are read.
const BATCHES_PER_BAND: usize = 4;

/// A finished segmentation: a class label per output pixel, and per-class heatmaps.
pub struct Segmentation {
    /// The labels, one per canvas pixel.
    pub labels: LabelMap,
    /// The level-0 position of the canvas origin and level-0 pixels per canvas pixel.
    pub placement: ((f64, f64), f64),
    /// One low-resolution probability map per class.
    pub heatmaps: Vec<Heatmap>,
}

/// The output rows and columns per tile of a segmentation model.
pub(crate) fn output_size(predictor: &Predictor) -> Result<(usize, usize)> {
    match predictor.output() {
        OutputKind::Segmentation { height, width } => Ok((height, width)),
        OutputKind::Classification => {
            Err(TesseraError::IncompatibleModel("a tile classifier gives no per-pixel map to segment with".into()))
        }
    }
}

/// The canvas covering `plan`'s tiles at `predictor`'s output resolution.
pub fn canvas(predictor: &Predictor, plan: &TilePlan) -> Result<Blender> {
    let (_, width) = output_size(predictor)?;
    let classes = predictor.package().metadata().classes.len();
    let (x0, y0, x1, y1) = plan.tiles.iter().fold((i64::MAX, i64::MAX, i64::MIN, i64::MIN), |(a, b, c, d), t| {
        (a.min(t.x), b.min(t.y), c.max(t.x + t.w as i64), d.max(t.y + t.h as i64))
    });
    let scale = plan.tiles.first().map_or(1.0, |t| t.w as f64 / width as f64);
    Blender::new((x0 as f64, y0 as f64, (x1 - x0).max(1) as f64, (y1 - y0).max(1) as f64), scale, classes)
}

/// Predicts every tile of `plan` band by band into `blender` (from [`canvas`]) and hands each
/// finished row to `each`, top to bottom. Checks for cancellation between bands (and between
/// batches inside them).
pub fn stitch(
    predictor: &Predictor,
    source: &dyn RegionSource,
    plan: &TilePlan,
    batch: usize,
    job: &Job,
    blender: &mut Blender,
    mut each: impl FnMut(Row),
) -> Result<()> {
    let (height, width) = output_size(predictor)?;
    let per_tile = predictor.package().metadata().classes.len() * height * width;
    let mut order: Vec<usize> = (0..plan.tiles.len()).collect();
    order.sort_by_key(|&i| (plan.tiles[i].y, plan.tiles[i].x));
    let offset = Offset { job, done: AtomicU64::new(0), total: plan.tiles.len() as u64 };
    let mut start = 0;
    while start < order.len() {
        job.check()?;
        // A band: at least BATCHES_PER_BAND batches, ending at the end of a tile row.
        let mut end = (start + BATCHES_PER_BAND * batch.max(1)).min(order.len());
        while end < order.len() && plan.tiles[order[end]].y == plan.tiles[order[end - 1]].y {
            end += 1;
        }
        let tiles = order[start..end].iter().map(|&i| plan.tiles[i].clone()).collect();
        let band =
            TilePlan { slide: plan.slide.clone(), downsample: plan.downsample, tile_size: plan.tile_size, tiles };
        let inner = Job::new(CancelToken::new(), &offset);
        pipeline::predict(predictor, source, &band, batch, &inner, |tiles, output| {
            job.check()?;
            for (&tile, values) in tiles.iter().zip(output.data.chunks_exact(per_tile)) {
                let t = &band.tiles[tile];
                blender.add((t.x as f64, t.y as f64), values, (height, width));
            }
            Ok(())
        })?;
        offset.done.fetch_add(band.tiles.len() as u64, Ordering::Relaxed);
        let below = order.get(end).map_or(usize::MAX, |&next| blender.row_of(plan.tiles[next].y as f64));
        blender.finish(below, &mut each);
        start = end;
    }
    blender.finish(usize::MAX, &mut each);
    Ok(())
}

/// Segments every tile of `plan` into labels and heatmaps.
pub fn segment(
    predictor: &Predictor,
    source: &dyn RegionSource,
    plan: &TilePlan,
    batch: usize,
    job: &Job,
) -> Result<Segmentation> {
    let classes: &[ClassInfo] = &predictor.package().metadata().classes;
    let mut blender = canvas(predictor, plan)?;
    let mut labels = LabelMap::new(blender.size().0);
    let mut sampler = Sampler::new(&blender, classes);
    stitch(predictor, source, plan, batch, job, &mut blender, |row| {
        labels.push_row(row.labels);
        sampler.take(&row);
    })?;
    Ok(Segmentation { labels, placement: blender.placement(), heatmaps: sampler.finish() })
}

/// Forwards a band's progress to the whole job's, offset by the tiles of earlier bands.
struct Offset<'a, 'b> {
    job: &'a Job<'b>,
    done: AtomicU64,
    total: u64,
}

impl ProgressSink for Offset<'_, '_> {
    fn report(&self, done: u64, _total: u64, message: &str) {
        self.job.progress(self.done.load(Ordering::Relaxed) + done, self.total, message);
    }
}
