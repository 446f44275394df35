package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.io.WKBWriter;

/** Annotations made with JTS, sent as WKB, planned by the native core. */
class TilePlannerIT {

	private static final GeometryFactory FACTORY = new GeometryFactory();

	private static Polygon square(double x, double y, double side) {
		return FACTORY.createPolygon(new Coordinate[] {new Coordinate(x, y), new Coordinate(x + side, y),
				new Coordinate(x + side, y + side), new Coordinate(x, y + side), new Coordinate(x, y)});
	}

	/** A 1000 px square at (0, 0) with a 400 px hole at (300, 300). */
	private static Geometry squareWithHole() {
		return FACTORY.createPolygon(square(0, 0, 1000).getExteriorRing(),
				new org.locationtech.jts.geom.LinearRing[] {square(300, 300, 400).getExteriorRing()});
	}

	private static TilePlanner.Region region(Geometry geometry, String className, String id) {
		return new TilePlanner.Region(new WKBWriter().write(geometry), className, id);
	}

	private static TilePlanner.Spec spec(int tileSize, double minCoverage) {
		return new TilePlanner.Spec(tileSize, null, 1.0, 0, minCoverage, null);
	}

	@Test
	void holesAreExcludedAndLabelsKept() {
		var plan = TilePlanner.plan("image.svs", 2000, 2000, 0.5,
				List.of(region(squareWithHole(), "Tumor", "a"), region(square(1200, 0, 300), "Stroma", "b")),
				spec(100, 1.0));
		Map<String, Long> counts = plan.tiles().stream().collect(Collectors.groupingBy(TilePlanner.Tile::label, Collectors.counting()));
		assertEquals(100 - 16, counts.get("Tumor"), "full tiles of the square minus those of the hole");
		assertEquals(9, counts.get("Stroma"));
		assertTrue(plan.tiles().stream().filter(t -> t.label().equals("Tumor")).allMatch(t -> t.polygonId().equals("a")));
		assertTrue(plan.tiles().stream().noneMatch(t -> t.x() >= 300 && t.x() < 700 && t.y() >= 300 && t.y() < 700));
		assertEquals(List.of(), plan.warnings(), "the squares lie apart");
		var overlapping = TilePlanner.plan("image.svs", 2000, 2000, 0.5,
				List.of(region(square(0, 0, 300), "Tumor", "a"), region(square(200, 0, 300), "Stroma", "b")), spec(100, 0.5));
		assertEquals(List.of("image.svs: a Tumor polygon (a) and a Stroma polygon (b) overlap over 30000 px²; "
				+ "tiles there go to the class covering more of each"), overlapping.warnings());
	}

	@Test
	void coverageAddsUpToTheJtsArea() {
		Geometry shape = FACTORY.createMultiPolygon(new Polygon[] {(Polygon) squareWithHole(),
				(Polygon) FACTORY.createPolygon(new Coordinate[] {new Coordinate(1100, 1100), new Coordinate(1733, 1150),
						new Coordinate(1400, 1777), new Coordinate(1100, 1100)})});
		var plan = TilePlanner.plan("image.svs", 2000, 2000, Double.NaN, List.of(region(shape, "Tumor", null)), spec(64, 0.0));
		double covered = plan.tiles().stream().mapToDouble(t -> t.coverage() * t.w() * t.h()).sum();
		assertEquals(shape.getArea(), covered, shape.getArea() * 1e-9);
	}

	@Test
	void micronsPerPixelBecomeADownsample() {
		var plan = TilePlanner.plan("image.svs", 4000, 4000, 0.25,
				List.of(region(square(0, 0, 2000), "Tumor", "a")), new TilePlanner.Spec(100, 1.0, null, 0, 1.0, null));
		assertEquals(4.0, plan.downsample(), 1e-12);
		assertEquals(25, plan.tiles().size(), "2000 px = 500 output px = 5 × 5 tiles of 100");
		assertEquals(400, plan.tiles().get(0).w());
	}

	@Test
	void unclassifiedAndIgnoredAnnotationsAreSkippedAndCounted() {
		var plan = TilePlanner.plan("image.svs", 1000, 1000, 0.5, List.of(
				region(square(0, 0, 200), "Tumor", "a"),
				region(square(300, 0, 200), null, "b"),
				region(square(600, 0, 200), "Ignore*", "c")), spec(100, 1.0));
		assertEquals(4, plan.tiles().size());
		assertEquals(1, plan.skipped().get("unclassified"));
		assertEquals(1, plan.skipped().get("ignored"));
	}

	@Test
	void badInputIsRefusedNamingTheProblem() {
		var outside = assertThrows(InvalidInputException.class, () -> TilePlanner.plan("image.svs", 1000, 1000, 0.5,
				List.of(region(square(5000, 5000, 100), "Tumor", "a")), spec(100, 0.5)));
		assertTrue(outside.getMessage().contains("image.svs"), outside.getMessage());
		var noPixelSize = assertThrows(InvalidInputException.class, () -> TilePlanner.plan("image.svs", 1000, 1000, Double.NaN,
				List.of(region(square(0, 0, 100), "Tumor", "a")), new TilePlanner.Spec(10, 0.5, null, 0, 0.5, null)));
		assertTrue(noPixelSize.getMessage().contains("downsample"), noPixelSize.getMessage());
		var zero = assertThrows(InvalidInputException.class, () -> TilePlanner.plan("image.svs", 1000, 1000, 0.5,
				List.of(region(square(0, 0, 100), "Tumor", "a")), spec(0, 0.5)));
		assertTrue(zero.getMessage().contains("tile size"), zero.getMessage());
		var notWkb = assertThrows(InvalidInputException.class, () -> TilePlanner.plan("image.svs", 1000, 1000, 0.5,
				List.of(new TilePlanner.Region(new byte[] {1, 2, 3}, "Tumor", "a")), spec(100, 0.5)));
		assertTrue(notWkb.getMessage().contains("annotation 0"), notWkb.getMessage());
	}

	@Test
	void aPlanOfMoreTilesThanAllowedIsRefusedWithItsEstimateUnlessTheLimitIsLifted() {
		var squares = List.of(region(square(0, 0, 200), "Tumor", "a"));
		var tooMany = assertThrows(TooManyTilesException.class,
				() -> TilePlanner.plan("image.svs", 1000, 1000, 0.5, squares, new TilePlanner.Spec(10, null, 1.0, 0, 0.5, null, 399L)));
		assertTrue(tooMany.getMessage().contains("image.svs: this would make about 400 tiles, more than the 399"),
				tooMany.getMessage());
		for (long unlimited : new long[] {0, 400})
			assertEquals(400, TilePlanner.plan("image.svs", 1000, 1000, 0.5, squares,
					new TilePlanner.Spec(10, null, 1.0, 0, 0.5, null, unlimited)).tiles().size());
		assertEquals(400, TilePlanner.plan("image.svs", 1000, 1000, 0.5, squares, spec(10, 0.5)).tiles().size(),
				"the default limit is a million");
	}
}
