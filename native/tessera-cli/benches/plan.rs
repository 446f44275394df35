//! Planning tiles inside polygons of 10⁴, 10⁵ and 10⁶ vertices: each stage of `tessera tiles`
//! before any pixel is read (parsing the QuPath GeoJSON, choosing and validating the polygon,
//! planning the tiles), and the plan against the method it replaced — clipping the polygon to
//! each row of tiles, then each tile to that strip — run here as the baseline on the same
//! polygons (up to 10⁵ vertices: at 10⁶ it takes minutes). Prints seconds and the ratio, and
//! checks that both methods give the same tiles and covered area; a measurement, not a test.
//!
//! Run: cargo bench -p tessera-cli --bench plan

use std::path::Path;
use std::time::Instant;

use geo::{Area, BooleanOps, BoundingRect, Coord, MultiPolygon, Rect};
use tessera_core::geometry::Document;
use tessera_core::slide::Resolution;
use tessera_core::tiling::{plan_selection, select_regions, PlannedImage, TileSpec};

/// Slide side in level-0 pixels.
const SLIDE: u64 = 100_000;
/// Tile side in pixels, at full resolution.
const TILE: u32 = 224;

fn main() {
    println!("slide {SLIDE}² px, {TILE}-px tiles at full resolution, one wavy polygon ~80,000 px across");
    println!(
        "{:>9}  {:>8}  {:>9}  {:>8}  {:>8}  {:>10}  {:>8}",
        "vertices", "parse s", "select s", "plan s", "tiles", "baseline s", "ratio"
    );
    for vertices in [10_000, 100_000, 1_000_000] {
        let text = geojson(vertices);
        let source = Path::new("bench.geojson");
        let start = Instant::now();
        let document = Document::parse(&text, source).unwrap();
        let parse = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let selection = select_regions(&document, source, None).unwrap();
        let select = start.elapsed().as_secs_f64();
        let spec = TileSpec::new(TILE, Resolution::Downsample(1.0));
        let image = PlannedImage { name: "bench", path: source, dimensions: (SLIDE, SLIDE), mpp: None };
        let start = Instant::now();
        let plan = plan_selection(&selection, &image, &spec).unwrap();
        let planning = start.elapsed().as_secs_f64();
        let area: f64 = plan.tiles.iter().map(|t| t.coverage).sum::<f64>() * f64::from(TILE * TILE);
        let (baseline, ratio) = if vertices <= 100_000 {
            let start = Instant::now();
            let (tiles, strip_area) = strip_plan(&selection.regions[0].polygon, spec.min_coverage);
            let seconds = start.elapsed().as_secs_f64();
            assert_eq!(tiles, plan.tiles.len(), "both methods keep the same tiles");
            assert!((strip_area - area).abs() < area * 1e-9, "covered area {area} vs {strip_area}");
            (format!("{seconds:10.2}"), format!("{:7.1}×", seconds / planning))
        } else {
            ("         –".into(), "       –".into())
        };
        println!(
            "{vertices:>9}  {parse:8.2}  {select:9.2}  {planning:8.2}  {:>8}  {baseline}  {ratio}",
            plan.tiles.len()
        );
    }
}

/// A QuPath GeoJSON export of one classified annotation: a wavy ring of `vertices` points.
fn geojson(vertices: usize) -> String {
    let points: Vec<String> = (0..=vertices)
        .map(|i| {
            let angle = std::f64::consts::TAU * (i % vertices) as f64 / vertices as f64;
            let radius = 40_000.0 + 3_000.0 * (angle * 7.0).sin() + 150.0 * (angle * 1_031.0).sin();
            format!("[{:.3},{:.3}]", 50_000.0 + radius * angle.cos(), 50_000.0 + radius * angle.sin())
        })
        .collect();
    format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[[{}]]}},"properties":{{"objectType":"annotation","classification":{{"name":"Tumor"}}}}}}]}}"#,
        points.join(",")
    )
}

/// The baseline: for each row of tiles, the polygon clipped to the row's strip, then each tile
/// of the row intersected with the strip; returns the tiles kept and their covered area.
fn strip_plan(polygon: &MultiPolygon<f64>, min_coverage: f64) -> (usize, f64) {
    let side = f64::from(TILE);
    let bounds = polygon.bounding_rect().unwrap();
    let (mut tiles, mut area) = (0, 0.0);
    for row in (bounds.min().y / side).floor() as u64..=(bounds.max().y / side).floor() as u64 {
        let top = row as f64 * side;
        let band = Rect::new(Coord { x: bounds.min().x, y: top }, Coord { x: bounds.max().x, y: top + side });
        let strip = polygon.intersection(&band.to_polygon());
        let Some(strip_bounds) = strip.bounding_rect() else { continue };
        for column in (strip_bounds.min().x / side).floor() as u64..=(strip_bounds.max().x / side).floor() as u64 {
            let x = column as f64 * side;
            let tile = Rect::new(Coord { x, y: top }, Coord { x: x + side, y: top + side });
            let covered = strip.intersection(&tile.to_polygon()).unsigned_area();
            if covered > 0.0 && covered / (side * side) >= min_coverage {
                tiles += 1;
                area += covered;
            }
        }
    }
    (tiles, area)
}
