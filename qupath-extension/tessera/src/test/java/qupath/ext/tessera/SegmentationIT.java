package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import qupath.ext.tessera.bridge.CancellationToken;
import qupath.ext.tessera.bridge.CancelledException;
import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.PackageRecords;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.ROIs;

/**
 * Pixel classifiers through the real native library: a U-Net trained on the red/blue image's
 * annotations (label masks painted by the core), applied as region objects inside the
 * annotations (over the tissue of an image without any), replacing earlier results, and the
 * recorded steps replayed.
 */
class SegmentationIT {

	private static String lastScript(ImageData<BufferedImage> imageData) {
		var steps = imageData.getHistoryWorkflow().getSteps();
		return ((DefaultScriptableWorkflowStep) steps.get(steps.size() - 1)).getScript();
	}

	private static List<PathObject> regions(ImageData<BufferedImage> imageData) {
		return imageData.getHierarchy().getAnnotationObjects().stream().filter(ClassRegions::isClassRegion).toList();
	}

	/** Trains a small U-Net on the red/blue image (validation grouped by its four annotations). */
	static String segmenter(Path dir, ImageData<BufferedImage> imageData) {
		String model = dir.resolve("regions.tessera").toString();
		var metrics = Tessera.segmentation().tileSize(32).downsample(1).overlap(0).epochs(3).folds(2).seed(1).train(imageData, model);
		assertTrue(metrics.getAsJsonObject("cross_validation").get("mean_iou").getAsDouble() > 0.6, metrics.toString());
		return model;
	}

	@Test
	void aTrainedSegmenterGivesRegionsOfItsClassesInsideEachAnnotation(@TempDir Path dir) {
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		var drawn = List.copyOf(imageData.getHierarchy().getAnnotationObjects());
		String model = segmenter(dir, imageData);
		assertEquals("segmentation", PackageRecords.read(Path.of(model)).task());
		String trainScript = lastScript(imageData);
		assertTrue(trainScript.startsWith("qupath.ext.tessera.Tessera.segmentation().tileSize(32).downsample(1.0)"), trainScript);

		int added = Tessera.application(model).apply(imageData);
		var regions = regions(imageData);
		assertEquals(added, regions.size());
		assertTrue(added >= 4, "at least one region per annotation: " + added);
		for (PathObject annotation : drawn) {
			double area = annotation.getROI().getGeometry().getArea();
			double own = annotation.getChildObjects().stream().filter(ClassRegions::isClassRegion)
					.filter(r -> r.getPathClass() == annotation.getPathClass())
					.mapToDouble(r -> r.getROI().getGeometry().getArea()).sum();
			assertTrue(own > 0.8 * area, annotation.getPathClass() + ": its class covers " + own + " of " + area);
			for (PathObject region : annotation.getChildObjects())
				assertTrue(annotation.getROI().getGeometry().buffer(1e-6).covers(region.getROI().getGeometry()),
						"a region reaches outside its annotation");
		}
		assertEquals(drawn, imageData.getHierarchy().getAnnotationObjects().stream()
				.filter(a -> !ClassRegions.isClassRegion(a)).toList(), "the drawn annotations stay as they were");

		Object replayed = TesseraScriptIT.run(lastScript(imageData), imageData, Map.of());
		assertEquals(added, replayed);
		assertEquals(added, regions(imageData).size(), "applying again replaces the regions");
	}

	@Test
	void anImageWithoutAnnotationsIsSegmentedOverItsTissueInOneStep(@TempDir Path dir) {
		String model = segmenter(dir, RedBlueImage.imageData(RedBlueImage.image()));
		// Red on the left, blue at the top right, blank glass at the bottom right; nothing drawn.
		int half = RedBlueImage.HALF;
		var pixels = RedBlueImage.withGlass(RedBlueImage.image(), half, half, half, half);
		var imageData = new ImageData<>(RedBlueImage.server(pixels), new PathObjectHierarchy());
		var hierarchy = imageData.getHierarchy();

		int added = Tessera.application(model).apply(imageData);
		var regions = regions(imageData);
		assertEquals(added, regions.size());
		assertEquals(added, hierarchy.getAllObjects(false).size(), "the regions and nothing else");
		assertTrue(regions.stream().allMatch(r -> r.getParent() == hierarchy.getRootObject()), "the regions go at the root");
		assertEquals(Set.of("Red", "Blue"), regions.stream().map(r -> r.getPathClass().getName()).collect(Collectors.toSet()));
		var plane = ImagePlane.getDefaultPlane();
		var parts = Map.of("Red", ROIs.createRectangleROI(0, 0, half, RedBlueImage.SIZE, plane).getGeometry(),
				"Blue", ROIs.createRectangleROI(half, 0, half, half, plane).getGeometry());
		parts.forEach((name, part) -> {
			double own = regions.stream().filter(r -> r.getPathClass().getName().equals(name))
					.mapToDouble(r -> r.getROI().getGeometry().intersection(part).getArea()).sum();
			assertTrue(own > 0.8 * part.getArea(), name + " covers " + own + " of its " + part.getArea() + " px");
		});
		var glass = ROIs.createRectangleROI(half, half, half, half, plane).getGeometry();
		for (PathObject region : regions)
			assertEquals(0, region.getROI().getGeometry().intersection(glass).getArea(), 1e-6, "a region over the glass");
		assertEquals(1, hierarchy.getEventCount(), "added in one hierarchy change");
		assertEquals(1, imageData.getHistoryWorkflow().getSteps().size());
		String script = lastScript(imageData);
		assertEquals("qupath.ext.tessera.Tessera.application('" + model + "').minCoverage(0.25).mergeClasses(false)"
				+ ".apply(getCurrentImageData())", script);

		assertEquals(added, TesseraScriptIT.run(script, imageData, Map.of()));
		assertEquals(added, hierarchy.getAllObjects(false).size(), "applying again replaces the regions");
	}

	@Test
	void detectionsAndAreaOptionsAreRecordedAndReplaced(@TempDir Path dir) {
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		String model = segmenter(dir, imageData);
		var application = Tessera.application(model).objectType("detection").minArea(100).minHole(50);
		int added = application.apply(imageData);
		assertEquals(added, imageData.getHierarchy().getDetectionObjects().size());
		assertTrue(regions(imageData).isEmpty());
		String script = lastScript(imageData);
		assertTrue(script.contains(".objectType('detection').minArea(100.0).minHole(50.0)"), script);
		assertEquals(added, application.apply(imageData));
		assertEquals(added, imageData.getHierarchy().getDetectionObjects().size(), "the earlier detections are replaced");
		assertThrows(InvalidInputException.class, () -> Tessera.application(model).objectType("tile"));
	}

	@Test
	void cancellingLeavesTheHierarchyUnchanged(@TempDir Path dir) {
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		String model = segmenter(dir, imageData);
		int objects = imageData.getHierarchy().getAnnotationObjects().size();
		int steps = imageData.getHistoryWorkflow().getSteps().size();
		try (var token = new CancellationToken()) {
			assertThrows(CancelledException.class, () -> Tessera.application(model)
					.progress((done, total, message) -> token.cancel()).cancel(token).apply(imageData));
		}
		assertEquals(objects, imageData.getHierarchy().getAnnotationObjects().size());
		assertEquals(steps, imageData.getHistoryWorkflow().getSteps().size());
	}

	@Test
	void trainingOverAProjectGroupsByImageAndRecordsItsImages(@TempDir Path dir) {
		var project = TesseraJobsIT.project(dir, (name, data) -> {});
		String model = dir.resolve("cohort-regions.tessera").toString();
		var metrics = Tessera.segmentation().tileSize(32).downsample(1).overlap(0).epochs(2).folds(2).seed(3)
				.trainOnProject(project.getImageList(), model);
		assertEquals(2, metrics.getAsJsonObject("cross_validation").getAsJsonArray("folds").size());
		var written = PackageRecords.read(Path.of(model));
		assertEquals("segmentation", written.task());
		assertEquals(List.of("first", "second"), ProjectModels.read(Path.of(model)).images());
	}

	/** The mean grey (band 0) of a grey + alpha PNG over its opaque pixels, and the share of them that are opaque. */
	private static double[] meanGrey(Path png) throws java.io.IOException {
		var raster = javax.imageio.ImageIO.read(png.toFile()).getRaster();
		assertEquals(2, raster.getNumBands(), png + ": grey + alpha");
		double sum = 0;
		int opaque = 0;
		for (int y = 0; y < raster.getHeight(); y++)
			for (int x = 0; x < raster.getWidth(); x++)
				if (raster.getSample(x, y, 1) == 255) {
					sum += raster.getSample(x, y, 0);
					opaque++;
				}
		return new double[] {sum / Math.max(1, opaque), opaque / (double) (raster.getWidth() * raster.getHeight())};
	}

	@Test
	void heatmapsAreWrittenPerClassOnlyWhenTheImageIsDoneAndRecorded(@TempDir Path dir) throws Exception {
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		String model = segmenter(dir, imageData);
		var red = imageData.getHierarchy().getAnnotationObjects().stream().filter(a -> a.getPathClass().getName().equals("Red"))
				.findFirst().orElseThrow();
		Path maps = dir.resolve("maps");
		Tessera.application(model).heatmaps(maps.toString()).apply(imageData, List.of(red));
		try (var files = Files.list(maps)) {
			assertEquals(List.of("Blue.png", "Red.png"), files.map(f -> f.getFileName().toString()).sorted().toList(),
					"one map per class inside one annotation, and no temporary folder left");
		}
		double[] redMap = meanGrey(maps.resolve("Red.png")), blueMap = meanGrey(maps.resolve("Blue.png"));
		assertTrue(redMap[1] > 0.9, "computed over the annotation: " + redMap[1]);
		assertTrue(redMap[0] > blueMap[0] && Math.abs(redMap[0] + blueMap[0] - 255) < 2,
				"the red annotation is more Red than Blue, the two probabilities summing to 1: " + redMap[0] + ", " + blueMap[0]);
		assertTrue(lastScript(imageData).contains(".heatmaps('" + maps + "')"), lastScript(imageData));

		Path whole = dir.resolve("whole");
		Tessera.application(model).heatmaps(whole.toString()).apply(imageData);
		try (var folders = Files.list(whole)) {
			var ids = imageData.getHierarchy().getAnnotationObjects().stream().filter(a -> !ClassRegions.isClassRegion(a))
					.map(a -> a.getID().toString()).sorted().toList();
			assertEquals(ids, folders.map(f -> f.getFileName().toString()).sorted().toList(), "one folder per annotation");
		}
		assertTrue(Files.isRegularFile(whole.resolve(red.getID().toString()).resolve("Red.png")));

		Path cancelled = dir.resolve("cancelled");
		try (var token = new CancellationToken()) {
			assertThrows(CancelledException.class, () -> Tessera.application(model).heatmaps(cancelled.toString())
					.progress((done, total, message) -> token.cancel()).cancel(token).apply(imageData));
		}
		assertTrue(Files.notExists(cancelled), "a cancelled run leaves no heatmap folder");

		String tiles = dir.resolve("tiles.tessera").toString();
		Tessera.training().tileSize(32).downsample(1).epochs(1).folds(0).train(RedBlueImage.imageData(RedBlueImage.image()), tiles);
		var refused = assertThrows(InvalidInputException.class,
				() -> Tessera.application(tiles).heatmaps(dir.resolve("none").toString()).apply(imageData));
		assertTrue(refused.getMessage().contains("tile classifier"), refused.getMessage());
		assertTrue(Files.notExists(dir.resolve("none")));
	}

	@Test
	void oneClassIsRefusedWithNothingWritten(@TempDir Path dir) {
		var imageData = new ImageData<>(RedBlueImage.server(RedBlueImage.image()), new PathObjectHierarchy());
		imageData.getHierarchy().addObject(PathObjects.createAnnotationObject(ROIs.createRectangleROI(0, 0, 256, 256,
				ImagePlane.getDefaultPlane()), PathClass.fromString("Red")));
		Path model = dir.resolve("one.tessera");
		assertThrows(InvalidInputException.class,
				() -> Tessera.segmentation().tileSize(32).downsample(1).epochs(1).folds(0).train(imageData, model.toString()));
		assertTrue(Files.notExists(model));
		assertEquals(0, imageData.getHistoryWorkflow().getSteps().size());
	}
}
