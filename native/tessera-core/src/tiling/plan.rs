//! Tile plans: a fixed grid over the slide (see [`super::grid`]), each kept tile with its label
//! and coverage. The grid starts at the slide's origin with a step of `tile side × (1 − overlap)`
//! level-0 pixels, so plans of different polygons (and of different runs) line up. A polygon's
//! area in each tile comes from one pass over its edges (see [`super::coverage`]).

use std::collections::BTreeMap;

use geo::{Area, BoundingRect, Coord, Rect};

use super::coverage::covered_tiles;
use super::grid::Grid;
use super::tissue::TissueMask;
use super::{Selection, TileSpec};
use crate::{Result, TesseraError};

/// One planned tile.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Tile {
    /// Left edge in level-0 pixels.
    pub x: i64,
    /// Top edge in level-0 pixels.
    pub y: i64,
    /// Width in level-0 pixels.
    pub w: u64,
    /// Height in level-0 pixels.
    pub h: u64,
    /// The class of the tile.
    pub label: String,
    /// The fraction of the tile covered by its polygon (or tissue), in [0, 1].
    pub coverage: f64,
    /// The source polygon's id: the group for leakage-free splits.
    pub polygon_id: String,
    /// The slide the tile belongs to.
    pub slide: String,
}

/// The tiles of one slide, in row-major order of their position.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TilePlan {
    /// The slide the tiles belong to.
    pub slide: String,
    /// Level-0 pixels per output pixel.
    pub downsample: f64,
    /// Output tile side in pixels.
    pub tile_size: u32,
    /// The tiles.
    pub tiles: Vec<Tile>,
}

fn check_downsample(downsample: f64) -> Result<()> {
    if downsample.is_finite() && downsample > 0.0 {
        Ok(())
    } else {
        Err(TesseraError::invalid(format!("the downsample must be a positive number, got {downsample}")))
    }
}

/// Refuses a plan of about `estimate` tiles (never more than the grid holds) when that is more
/// than `spec.max_tiles`, before the work of planning them.
fn check_size(estimate: f64, slide: &str, grid: &Grid, spec: &TileSpec) -> Result<()> {
    let estimate = estimate.min(grid.tiles() as f64).round() as u64;
    match spec.max_tiles {
        Some(limit) if estimate > limit => {
            Err(TesseraError::TooManyTiles { slide: slide.to_string(), estimate, limit })
        }
        _ => Ok(()),
    }
}

/// Plans the tiles of `selection` on a slide `slide` of `dimensions` (level-0 width, height).
///
/// A tile is kept for a region when the region covers at least `spec.min_coverage` of it (and
/// more than nothing); a grid position claimed by several regions goes to the one covering it
/// most (the first in file order on a tie). Fails when every polygon lies outside the slide.
pub fn plan_regions(
    selection: &Selection,
    slide: &str,
    dimensions: (u64, u64),
    downsample: f64,
    spec: &TileSpec,
) -> Result<TilePlan> {
    spec.validate()?;
    check_downsample(downsample)?;
    let grid = Grid::new(spec, downsample, dimensions);
    let slide_box = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: dimensions.0 as f64, y: dimensions.1 as f64 });
    let tile_area = grid.tile_area();
    let on_slide = |bounds: &Rect<f64>| {
        bounds.max().x > 0.0
            && bounds.max().y > 0.0
            && bounds.min().x < slide_box.max().x
            && bounds.min().y < slide_box.max().y
    };
    let regions: Vec<(usize, Rect<f64>)> = selection
        .regions
        .iter()
        .enumerate()
        .filter_map(|(index, region)| region.polygon.bounding_rect().filter(on_slide).map(|bounds| (index, bounds)))
        .collect();
    let area: f64 = regions.iter().map(|&(index, _)| selection.regions[index].polygon.unsigned_area()).sum();
    check_size(area / (grid.stride as f64).powi(2), slide, &grid, spec)?;
    let mut best: BTreeMap<(u64, u64), (f64, usize)> = BTreeMap::new();
    for &(index, bounds) in &regions {
        let region = &selection.regions[index];
        for (row, column, covered) in covered_tiles(&region.polygon, bounds, &grid) {
            let coverage = covered / tile_area;
            if coverage > 0.0 && coverage >= spec.min_coverage {
                let entry = best.entry((row, column)).or_insert((coverage, index));
                if coverage > entry.0 {
                    *entry = (coverage, index);
                }
            }
        }
    }
    if regions.is_empty() {
        return Err(TesseraError::invalid(format!(
            "{}: every polygon lies outside slide {slide} ({}×{} px); are these annotations for another image?",
            selection.source.display(),
            dimensions.0,
            dimensions.1
        )));
    }
    let tiles = best
        .into_iter()
        .map(|((row, column), (coverage, index))| {
            let region = &selection.regions[index];
            Tile {
                x: grid.start(column) as i64,
                y: grid.start(row) as i64,
                w: grid.side,
                h: grid.side,
                label: region.label.clone(),
                coverage: coverage.min(1.0),
                polygon_id: region.id.clone(),
                slide: slide.to_string(),
            }
        })
        .collect();
    Ok(TilePlan { slide: slide.to_string(), downsample, tile_size: spec.tile_size, tiles })
}

/// Plans tiles over a whole slide, labelled `label` and grouped by the slide; with a tissue
/// `mask`, keeps only tiles whose tissue fraction is at least `spec.min_coverage` (and not
/// zero), recorded as their coverage.
pub fn plan_whole_slide(
    slide: &str,
    dimensions: (u64, u64),
    downsample: f64,
    spec: &TileSpec,
    mask: Option<&TissueMask>,
    label: &str,
) -> Result<TilePlan> {
    spec.validate()?;
    check_downsample(downsample)?;
    let grid = Grid::new(spec, downsample, dimensions);
    let tissue = mask.map_or(1.0, |mask| mask.fraction(0, 0, dimensions.0, dimensions.1));
    check_size(grid.tiles() as f64 * tissue, slide, &grid, spec)?;
    let mut tiles = Vec::new();
    for row in 0..grid.rows {
        for column in 0..grid.columns {
            let (x, y) = (grid.start(column) as i64, grid.start(row) as i64);
            let coverage = mask.map_or(grid.on_slide(column, row), |mask| mask.fraction(x, y, grid.side, grid.side));
            if coverage > 0.0 && coverage >= spec.min_coverage {
                tiles.push(Tile {
                    x,
                    y,
                    w: grid.side,
                    h: grid.side,
                    label: label.to_string(),
                    coverage,
                    polygon_id: slide.to_string(),
                    slide: slide.to_string(),
                });
            }
        }
    }
    Ok(TilePlan { slide: slide.to_string(), downsample, tile_size: spec.tile_size, tiles })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slide::Resolution;
    use crate::tiling::shapes::star;
    use crate::tiling::LabelledRegion;
    use geo::{MultiPolygon, Polygon};
    use proptest::prelude::*;
    use std::path::PathBuf;

    fn selection(regions: Vec<(MultiPolygon<f64>, &str)>) -> Selection {
        Selection {
            source: PathBuf::from("test.geojson"),
            regions: regions
                .into_iter()
                .enumerate()
                .map(|(i, (polygon, label))| LabelledRegion { polygon, label: label.into(), id: format!("p{i}") })
                .collect(),
            ..Selection::default()
        }
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }).to_polygon()])
    }

    fn spec(tile_size: u32, min_coverage: f64) -> TileSpec {
        TileSpec { min_coverage, ..TileSpec::new(tile_size, Resolution::Downsample(1.0)) }
    }

    #[test]
    fn tiles_follow_the_grid_and_the_best_covering_polygon_wins() {
        // Two rectangles sharing the column x ∈ [100, 200): left one covers 60 % of it.
        let plan = plan_regions(
            &selection(vec![(rect(0.0, 0.0, 160.0, 100.0), "A"), (rect(160.0, 0.0, 300.0, 100.0), "B")]),
            "slide",
            (1000, 1000),
            1.0,
            &spec(100, 0.5),
        )
        .unwrap();
        let labels: Vec<_> = plan.tiles.iter().map(|t| (t.x, t.label.as_str(), t.coverage)).collect();
        assert_eq!(labels, [(0, "A", 1.0), (100, "A", 0.6), (200, "B", 1.0)]);
        assert!(plan.tiles.iter().all(|t| t.y == 0 && t.w == 100 && t.slide == "slide"));
    }

    #[test]
    fn overlap_downsample_and_slide_edges_shape_the_grid() {
        let mut overlapping = spec(50, 1.0);
        overlapping.overlap = 0.5;
        overlapping.resolution = Resolution::Downsample(2.0);
        // Side 100 level-0 px, stride 50; the slide is 260 wide so columns start at 0, 50, …, 200,
        // and the last lies 60 % on the slide: the polygon beyond the slide does not count.
        let plan =
            plan_regions(&selection(vec![(rect(0.0, 0.0, 400.0, 100.0), "A")]), "s", (260, 260), 2.0, &overlapping)
                .unwrap();
        let xs: Vec<_> = plan.tiles.iter().map(|t| t.x).collect();
        assert_eq!(xs, [0, 50, 100, 150]);
        assert_eq!(plan.tile_size, 50);
    }

    #[test]
    fn a_plan_of_more_tiles_than_allowed_is_refused_before_planning_unless_confirmed() {
        let big = selection(vec![(rect(0.0, 0.0, 1000.0, 1000.0), "A")]);
        let mut small_tiles = spec(1, 0.5);
        small_tiles.max_tiles = Some(999_999);
        let error = plan_regions(&big, "s.svs", (1000, 1000), 1.0, &small_tiles).unwrap_err();
        assert!(matches!(error, TesseraError::TooManyTiles { estimate: 1_000_000, limit: 999_999, .. }), "{error}");
        assert!(error.to_string().starts_with("s.svs: this would make about 1000000 tiles"), "{error}");
        let whole = plan_whole_slide("s.svs", (1000, 1000), 1.0, &small_tiles, None, "tissue").unwrap_err();
        assert!(matches!(whole, TesseraError::TooManyTiles { estimate: 1_000_000, .. }), "{whole}");
        small_tiles.max_tiles = None;
        small_tiles.tile_size = 4;
        assert_eq!(plan_regions(&big, "s.svs", (1000, 1000), 1.0, &small_tiles).unwrap().tiles.len(), 62_500);
    }

    #[test]
    fn polygons_outside_the_slide_are_an_error_naming_the_file() {
        let message = plan_regions(
            &selection(vec![(rect(5000.0, 5000.0, 6000.0, 6000.0), "A")]),
            "s.svs",
            (1000, 1000),
            1.0,
            &spec(100, 0.5),
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("test.geojson") && message.contains("outside slide s.svs"), "{message}");
    }

    #[test]
    fn whole_slide_plans_cover_the_grid() {
        let plan = plan_whole_slide("s", (250, 120), 1.0, &spec(100, 0.5), None, "tissue").unwrap();
        let tiles: Vec<_> = plan.tiles.iter().map(|t| (t.x, t.y, t.w, t.coverage)).collect();
        assert_eq!(
            tiles,
            [(0, 0, 100, 1.0), (100, 0, 100, 1.0), (200, 0, 100, 0.5)],
            "the edge tile half on the slide"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// With a stride equal to the tile side and a zero minimum coverage, the tiles partition
        /// the plane, so their covered areas add up to the polygon's area, holes excluded.
        #[test]
        fn covered_areas_add_up_to_the_polygon_area(
            outer in proptest::collection::vec(60.0f64..120.0, 5..40),
            hole in proptest::collection::vec(5.0f64..30.0, 3..12),
            cx in 130.0f64..300.0,
            cy in 130.0f64..300.0,
            tile_size in 7u32..90,
        ) {
            let polygon = Polygon::new(star(cx, cy, &outer, false), vec![star(cx, cy, &hole, true)]);
            let expected = polygon.unsigned_area();
            let plan = plan_regions(&selection(vec![(MultiPolygon::new(vec![polygon]), "A")]), "s", (1000, 1000), 1.0, &spec(tile_size, 0.0)).unwrap();
            let tile_area = f64::from(tile_size * tile_size);
            let total: f64 = plan.tiles.iter().map(|t| t.coverage * tile_area).sum();
            prop_assert!((total - expected).abs() <= expected * 1e-6, "tiles {total} vs polygon {expected}");
        }
    }
}
