//! The U-Net against the tile classifier on the same labelled pixels: 4-fold cross-validation on
//! the demo slide's annotations, grouped by polygon. A measurement, not a test.
//!
//! The U-Net trains as `tessera demo --task segmentation` trains it: patches of 64 px at 1 µm/px,
//! overlap 0.5, minimum coverage 0.25, each labelled by its own polygon (`collect_patches`), the
//! default U-Net and training settings (8 epochs, augmentation, class weights, the best epoch by
//! validation mean IoU), 2 threads. The folds are grouped folds of those patches' polygons. For
//! each fold the default tile CNN trains as `tessera demo` trains it (64 px at 0.5 µm/px,
//! overlap 0.5, the best epoch by validation macro-F1) on the tiles of the fold's training
//! polygons, validating on the tiles of its held-out polygons. It is then applied densely: every
//! tile of a whole-slide grid at its resolution and stride, each tile's class painted onto the
//! stride × stride cell it centres (the cells of `tessera apply`, which partition the slide),
//! and each labelled pixel of the held-out patches takes the class of the cell its centre lies in
//! (the nearest cell at the slide's rim). The U-Net is scored on the same patches
//! (`pixel_confusions`): both models see exactly the same labelled pixels, each as often as the
//! overlapping patches hold it. Both get mean IoU, pixel accuracy and per-class IoU with 95%
//! intervals from resampling whole polygons (`Report::pixels`), per fold and pooled over the
//! folds' held-out polygons.
//!
//! An overlay of fold 1 (`segmentation_vs_tiles.png` in the target folder): left the U-Net, right
//! the tile CNN, both applied to the whole slide (the U-Net in 64 px patches at stride 32, each
//! keeping its central 32 × 32 block, as the tile CNN keeps its central cell) and shown over the
//! region around the fold's held-out polygons at 1 µm/px, predicted classes tinted, the held-out
//! polygons outlined in the colour of their true class.
//!
//! Run:   cargo bench -p tessera-cli --bench segmentation_vs_tiles
//! Needs: ONNX Runtime as for the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use geo::{coord, BoundingRect, Rect};
use tessera_core::dataset::split::{grouped_folds, Split};
use tessera_core::dataset::TileStore;
use tessera_core::eval::metrics::{argmax_classes, Confusion};
use tessera_core::eval::report::Report;
use tessera_core::graph::network::{Network, State};
use tessera_core::infer::cells::Cells;
use tessera_core::pipeline::{collect, collect_patches, CnnOptions, UNetOptions};
use tessera_core::runtime::Runtime;
use tessera_core::slide::{read_region, RegionSource};
use tessera_core::tiling::raster::{fill, Placement};
use tessera_core::tiling::read::read_packed;
use tessera_core::tiling::{
    plan_selection, plan_whole_slide, LabelledRegion, PlannedImage, Selection, Tile, TilePlan, TileSpec,
};
use tessera_core::train::fit::{fit, pixel_confusions, probabilities, TrainConfig, RESAMPLES};

#[path = "common/demo.rs"]
mod demo;
use demo::Demo;

const FOLDS: usize = 4;
const EPOCHS: usize = 8;
const THREADS: usize = 2;
const SEED: u64 = 0;
const BATCH: usize = 32;
/// Tints of the classes in the overlay (sorted class names: Background, Epithelium, Stroma).
const COLOURS: [[u8; 3]; 3] = [[0, 114, 178], [213, 94, 0], [0, 158, 115]];
/// Level-0 pixels of slide around the held-out polygons in the overlay.
const MARGIN: f64 = 128.0;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let demo = Demo::load();
    let (runtime, job, source, selection) = (demo.runtime, &demo.job, &demo.source, &demo.selection);
    let slide = demo.labelled();
    let (patch_spec, tile_spec) = (Demo::patch_spec(), Demo::tile_spec());
    let patches = collect_patches(std::slice::from_ref(&slide), &patch_spec, job).unwrap().store;
    let tiles = collect(&[slide], &tile_spec, job).unwrap().store;
    let placed = patch_tiles(source, selection, &patch_spec, &patches);
    let folds = grouped_folds(&patches, FOLDS, SEED).unwrap();
    let unet = UNetOptions::default().spec(patches.side(), patches.classes().len()).network().unwrap();
    let cnn = CnnOptions::default().network(&tiles).unwrap();
    let config = TrainConfig { epochs: EPOCHS, threads: THREADS, ..TrainConfig::default() };
    let (dense_tiles, dense_store) = read_plan(source, &tile_spec, &tiles);
    let names = patches.classes();
    println!(
        "demo: {} patches (64 px at 1 µm/px) and {} tiles (64 px at 0.5 µm/px) of {} polygons; {FOLDS} folds grouped by polygon, \
         {EPOCHS} epochs, {THREADS} threads; the tile CNN applied to {} whole-slide tiles",
        patches.len(),
        tiles.len(),
        selection.regions.len(),
        dense_store.len()
    );
    let (mut unet_all, mut cnn_all) = (Vec::new(), Vec::new());
    for (f, split) in folds.iter().enumerate() {
        let held_out: BTreeSet<u64> = split.validation.iter().map(|&i| patches.groups()[i]).collect();
        let unet_state = fit(runtime, &unet, &patches, split, &config, job, &mut |_| {}).unwrap().state;
        let unet_groups =
            pixel_confusions(runtime, &unet, &unet_state, &patches, &split.validation, BATCH, THREADS).unwrap();
        let (validation, train): (Vec<usize>, Vec<usize>) =
            (0..tiles.len()).partition(|&i| held_out.contains(&tiles.groups()[i]));
        let tile_split = Split { train, validation };
        let cnn_state = fit(runtime, &cnn, &tiles, &tile_split, &config, job, &mut |_| {}).unwrap().state;
        let painted = Dense::predict(runtime, &cnn, &cnn_state, &dense_tiles, &dense_store);
        let cnn_groups = painted_confusions(&painted, &patches, &placed, &split.validation);
        let (u, c) = (report(names, &unet_groups), report(names, &cnn_groups));
        println!(
            "fold {}: {} held-out polygons, {} patches, {} labelled px (CNN on {} training tiles)",
            f + 1,
            held_out.len(),
            split.validation.len(),
            u.tiles,
            tile_split.train.len()
        );
        print_pair(&u, &c);
        if f == 0 {
            let overlay = root.join("target/segmentation_vs_tiles.png");
            let (patch_plan, patch_store) = read_plan(source, &patch_spec, &patches);
            let segmented = Dense::predict(runtime, &unet, &unet_state, &patch_plan, &patch_store);
            let ids: BTreeSet<&str> = split.validation.iter().map(|&i| placed[i].polygon_id.as_str()).collect();
            let held_out: Vec<&LabelledRegion> =
                selection.regions.iter().filter(|r| ids.contains(r.id.as_str())).collect();
            let d = patch_plan.tiles[0].w as f64 / patch_plan.tile_size as f64;
            write_overlay(source, names, &held_out, [&segmented, &painted], d, &overlay);
            println!("overlay of fold 1: {}", overlay.display());
        }
        unet_all.extend(unet_groups);
        cnn_all.extend(cnn_groups);
    }
    println!("pooled over the {FOLDS} folds' held-out polygons ({} polygons):", unet_all.len());
    print_pair(&report(names, &unet_all), &report(names, &cnn_all));
}

fn report(names: &[String], groups: &[Confusion]) -> Report {
    Report::pixels(names, groups, RESAMPLES, SEED).unwrap()
}

fn print_pair(unet: &Report, cnn: &Report) {
    for (name, r) in [("U-Net", unet), ("tile CNN", cnn)] {
        let miou = r.mean_iou.unwrap();
        let per_class: Vec<String> =
            r.classes.iter().map(|c| format!("{} {:.3}", c.name, c.iou.unwrap_or_default())).collect();
        println!(
            "    {name:<9} mIoU {:.3} [{:.3}, {:.3}]   pixel accuracy {:.3} [{:.3}, {:.3}]   IoU: {}",
            miou.value,
            miou.ci95.low,
            miou.ci95.high,
            r.accuracy.value,
            r.accuracy.ci95.low,
            r.accuracy.ci95.high,
            per_class.join(", ")
        );
    }
}

/// The plan tile of each patch of `store` (collected by `collect_patches` under `spec` from
/// `selection` alone): the plan's tiles in order, less those whose own polygon labels no pixel,
/// as `collect_patches` drops them; checked against the store's masks.
fn patch_tiles(source: &dyn RegionSource, selection: &Selection, spec: &TileSpec, store: &TileStore) -> Vec<Tile> {
    let plan = plan_selection(selection, &PlannedImage::of(source, "demo"), spec).unwrap();
    let side = store.side();
    let mut scratch = vec![0u8; side * side];
    let labelled = |tile: &Tile, scratch: &mut [u8]| {
        let region = selection.regions.iter().find(|r| r.id == tile.polygon_id).unwrap();
        let at = Placement { origin: (tile.x as f64, tile.y as f64), downsample: plan.downsample, size: (side, side) };
        fill(&region.polygon, at, 1, scratch)
    };
    let kept: Vec<Tile> = plan.tiles.into_iter().filter(|t| labelled(t, &mut scratch) > 0).collect();
    assert_eq!(kept.len(), store.len(), "the plan does not match the patches");
    for (i, tile) in kept.iter().enumerate() {
        assert_eq!(labelled(tile, &mut scratch), store.pixel_counts(&[i]).iter().sum::<usize>(), "patch {i}");
    }
    kept
}

fn whole_slide_plan(source: &dyn RegionSource, spec: &TileSpec) -> TilePlan {
    let downsample = spec.resolution.downsample_given(source.mpp(), source.path()).unwrap();
    plan_whole_slide("demo", source.dimensions(), downsample, spec, None, "").unwrap()
}

/// The whole-slide grid of `spec` and its tiles read into a store (labelled 0, of `like`'s classes).
fn read_plan(source: &dyn RegionSource, spec: &TileSpec, like: &TileStore) -> (TilePlan, TileStore) {
    let plan = whole_slide_plan(source, spec);
    let rectangles: Vec<_> = plan.tiles.iter().map(|t| (t.x, t.y, t.w, t.h)).collect();
    let mut bytes = vec![0u8; rectangles.len() * like.tile_len()];
    read_packed(source, &rectangles, spec.tile_size, &mut bytes).unwrap();
    let mut store = TileStore::new(like.side(), like.classes().to_vec()).unwrap();
    for tile in bytes.chunks_exact(like.tile_len()) {
        store.push(tile, 0, 0).unwrap();
    }
    (plan, store)
}

/// A model's predictions over a whole-slide grid, painted: each point of the slide takes the
/// prediction of the tile owning its cell (the class of a tile classifier's tile, or a
/// segmenter's class at that point of the tile).
struct Dense {
    cells: Cells,
    owners: Vec<Option<usize>>,
    tiles: Vec<Tile>,
    /// Per tile, its classes: one, or one per output pixel (row-major).
    predicted: Vec<usize>,
    side: usize,
}

impl Dense {
    fn predict(runtime: &Runtime, network: &Network, state: &State, plan: &TilePlan, store: &TileStore) -> Self {
        let all: Vec<usize> = (0..store.len()).collect();
        let out = probabilities(runtime, network, state, store, &all, BATCH, THREADS).unwrap();
        let positions = network.label_shape().iter().product::<usize>().max(1);
        let cells = Cells::of(plan).unwrap();
        let owners = cells.owners();
        let predicted = argmax_classes(&out, network.classes(), positions);
        let side = if positions == 1 { 1 } else { store.side() };
        Self { cells, owners, tiles: plan.tiles.clone(), predicted, side }
    }

    /// The class at level-0 point (`x`, `y`).
    fn at(&self, x: f64, y: f64) -> usize {
        let cell = |v: f64, origin: f64, count: usize| {
            (((v - origin) / self.cells.side).floor().max(0.0) as usize).min(count - 1)
        };
        let (column, row) =
            (cell(x, self.cells.origin.0, self.cells.columns), cell(y, self.cells.origin.1, self.cells.rows));
        let owner = self.owners[row * self.cells.columns + column].unwrap();
        let tile = &self.tiles[owner];
        let pixel = |v: f64, start: i64| {
            (((v - start as f64) * self.side as f64 / tile.w as f64).floor().max(0.0) as usize).min(self.side - 1)
        };
        let (i, j) = (pixel(y, tile.y), pixel(x, tile.x));
        self.predicted[owner * self.side * self.side + i * self.side + j]
    }
}

/// The confusion matrix of each group's labelled pixels of `patches` `indices` (placed at
/// `placed`) against `dense`'s classes at their centres, in the order of the groups' ids (as
/// `pixel_confusions` gives them).
fn painted_confusions(dense: &Dense, patches: &TileStore, placed: &[Tile], indices: &[usize]) -> Vec<Confusion> {
    let (classes, side) = (patches.classes().len(), patches.side());
    let mut by_group: BTreeMap<u64, Confusion> = BTreeMap::new();
    for &i in indices {
        let tile = &placed[i];
        let d = tile.w as f64 / side as f64;
        let truth: Vec<Option<usize>> =
            patches.mask(i).unwrap().iter().map(|&m| (m != u8::MAX).then_some(m as usize)).collect();
        let predicted: Vec<usize> = (0..side * side)
            .map(|p| {
                dense.at(tile.x as f64 + ((p % side) as f64 + 0.5) * d, tile.y as f64 + ((p / side) as f64 + 0.5) * d)
            })
            .collect();
        let confusion = Confusion::of_labelled(classes, &truth, &predicted);
        let entry = by_group.entry(patches.groups()[i]).or_insert_with(|| Confusion::sum(classes, std::iter::empty()));
        *entry = Confusion::sum(classes, [&*entry, &confusion].into_iter());
    }
    by_group.into_values().collect()
}

/// Writes the overlay: the region around the polygons `held_out` at `d` level-0 pixels per pixel,
/// twice side by side — each of `panels`' classes tinted — with those polygons outlined in the
/// colour of their true class (of `names`).
fn write_overlay(
    source: &dyn RegionSource,
    names: &[String],
    held_out: &[&LabelledRegion],
    panels: [&Dense; 2],
    d: f64,
    path: &Path,
) {
    let (width0, height0) = source.dimensions();
    let bounds = held_out.iter().filter_map(|r| r.polygon.bounding_rect()).reduce(|a, b| {
        Rect::new(
            coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    });
    let bounds = bounds.unwrap();
    let (x0, y0) = ((bounds.min().x - MARGIN).max(0.0).floor(), (bounds.min().y - MARGIN).max(0.0).floor());
    let x1 = (bounds.max().x + MARGIN).min(width0 as f64);
    let y1 = (bounds.max().y + MARGIN).min(height0 as f64);
    let (w, h) = (((x1 - x0) / d).floor() as usize, ((y1 - y0) / d).floor() as usize);
    let rectangle = (x0 as i64, y0 as i64, (w as f64 * d).round() as u64, (h as f64 * d).round() as u64);
    let rgb = read_region(source, rectangle, (w as u32, h as u32)).unwrap().into_bytes();
    let mut truth = vec![0u8; w * h];
    for region in held_out {
        let class = names.iter().position(|c| *c == region.label).unwrap();
        fill(&region.polygon, Placement { origin: (x0, y0), downsample: d, size: (w, h) }, class as u8 + 1, &mut truth);
    }
    let outline = |x: usize, y: usize| {
        let t = truth[y * w + x];
        let differs = |nx: usize, ny: usize| nx >= w || ny >= h || truth[ny * w + nx] != t;
        t != 0 && (x == 0 || y == 0 || differs(x + 1, y) || differs(x, y + 1) || differs(x - 1, y) || differs(x, y - 1))
    };
    let gap = 8;
    let width = 2 * w + gap;
    let mut out = vec![255u8; width * h * 3];
    for (panel, dense) in panels.into_iter().enumerate() {
        for (y, x) in (0..h).flat_map(|y| (0..w).map(move |x| (y, x))) {
            let pixel = &rgb[3 * (y * w + x)..3 * (y * w + x) + 3];
            let colour = if outline(x, y) {
                COLOURS[truth[y * w + x] as usize - 1]
            } else {
                let tint = COLOURS[dense.at(x0 + (x as f64 + 0.5) * d, y0 + (y as f64 + 0.5) * d)];
                std::array::from_fn(|c| (f64::from(pixel[c]) * 0.55 + f64::from(tint[c]) * 0.45).round() as u8)
            };
            let at = 3 * (y * width + panel * (w + gap) + x);
            out[at..at + 3].copy_from_slice(&colour);
        }
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut encoder = png::Encoder::new(file, width as u32, h as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header().unwrap().write_image_data(&out).unwrap();
}
