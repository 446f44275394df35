package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.Project;
import qupath.lib.projects.ProjectImageEntry;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.ROIs;

/**
 * The jobs beside train and apply, each through the real native library: evaluation, tile
 * export, merged class annotations, training over a project's images and the project's models.
 */
class TesseraJobsIT {

	private static String lastScript(ImageData<BufferedImage> imageData) {
		var steps = imageData.getHistoryWorkflow().getSteps();
		return ((DefaultScriptableWorkflowStep) steps.get(steps.size() - 1)).getScript();
	}

	@Test
	void evaluationScoresTheAnnotationsAndReplays(@TempDir Path dir) throws IOException {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		String report = dir.resolve("report").toString();
		JsonObject metrics = Tessera.evaluation(model).report(report).evaluate(imageData);
		assertEquals(256, metrics.get("tiles").getAsInt());
		assertTrue(metrics.getAsJsonObject("macro_f1").get("value").getAsDouble() > 0.9, metrics.toString());
		assertEquals(2, metrics.getAsJsonArray("classes").size());
		for (var c : metrics.getAsJsonArray("classes"))
			assertTrue(c.getAsJsonObject().get("roc_curve").getAsJsonArray().size() >= 2, "ROC points for the results view");
		assertEquals(0, imageData.getHierarchy().getDetectionObjects().size(), "evaluation adds nothing");
		var written = JsonParser.parseString(Files.readString(Path.of(report, "metrics.json"))).getAsJsonObject();
		assertEquals(metrics, written);

		var replay = RedBlueImage.imageData(RedBlueImage.image());
		Object again = TesseraScriptIT.run(lastScript(imageData), replay, Map.of());
		assertEquals(metrics, again, "the recorded step gives the same metrics");
	}

	@Test
	void evaluationRefusesClassesTheModelDoesNotKnow(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		imageData.getHierarchy().addObject(PathObjects.createAnnotationObject(
				ROIs.createRectangleROI(0, 0, 128, 128, ImagePlane.getDefaultPlane()), PathClass.fromString("Green")));
		var e = assertThrows(InvalidInputException.class, () -> Tessera.evaluation(model).evaluate(imageData));
		assertTrue(e.getMessage().contains("[Green]"), e.getMessage());
		assertEquals(0, imageData.getHistoryWorkflow().getSteps().size());
	}

	@Test
	void tileExportWritesTheSourcePixelsAndAManifest(@TempDir Path dir) throws IOException {
		BufferedImage pixels = RedBlueImage.image();
		var imageData = RedBlueImage.imageData(pixels);
		int written = Tessera.tileExport().tileSize(32).downsample(1).export(imageData, dir.toString());
		assertEquals(256, written);
		List<String> rows = Files.readAllLines(dir.resolve("tiles.csv"));
		assertEquals(257, rows.size());
		assertEquals(128, rows.stream().filter(r -> r.contains(",Red,")).count());
		String[] row = rows.get(1).split(",");
		assertEquals("red-blue.tif", row[1], "the image column holds QuPath's name of the image, not its server path");
		assertTrue(row[0].startsWith("Blue/red-blue.tif_") || row[0].startsWith("Red/red-blue.tif_"), row[0]);
		BufferedImage tile = ImageIO.read(dir.resolve(row[0]).toFile());
		int x = Integer.parseInt(row[3]), y = Integer.parseInt(row[4]);
		for (int j = 0; j < 32; j++)
			for (int i = 0; i < 32; i++)
				assertEquals(pixels.getRGB(x + i, y + j) & 0xffffff, tile.getRGB(i, j) & 0xffffff);
		assertTrue(lastScript(imageData).startsWith("qupath.ext.tessera.Tessera.tileExport().tileSize(32).downsample(1.0)"));
	}

	@Test
	void tileExportNeverWritesOutsideItsFolderWhateverTheClassIsCalled(@TempDir Path dir) throws IOException {
		var imageData = new ImageData<>(RedBlueImage.server(RedBlueImage.image()), new PathObjectHierarchy());
		String[] classes = {"..", "../up", "CON", "a/b"};
		for (int i = 0; i < classes.length; i++)
			imageData.getHierarchy().addObject(PathObjects.createAnnotationObject(
					ROIs.createRectangleROI(i * 128, 0, 128, 128, ImagePlane.getDefaultPlane()), PathClass.fromString(classes[i])));
		Path out = dir.resolve("out");
		int written = Tessera.tileExport().tileSize(32).downsample(1).export(imageData, out.toString());
		assertEquals(4 * 16, written);
		try (var files = Files.walk(dir)) {
			var pngs = files.filter(f -> f.toString().endsWith(".png")).toList();
			assertEquals(written, pngs.size());
			assertTrue(pngs.stream().allMatch(f -> f.normalize().startsWith(out)), "every tile inside the folder given");
		}
		try (var folders = Files.list(out)) {
			assertEquals(java.util.Set.of("_", "_.._up", "CON_", "a_b"),
					folders.filter(Files::isDirectory).map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
		}
	}

	@Test
	void mergedClassAnnotationsCoverEachAnnotationAndAreNeverTiledAgain(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		int added = Tessera.application(model).mergeClasses(true).apply(imageData);
		assertEquals(256 + 4, added);
		assertEquals(1, imageData.getHierarchy().getEventCount());
		for (PathObject annotation : List.copyOf(imageData.getHierarchy().getAnnotationObjects())) {
			if (ClassRegions.isClassRegion(annotation))
				continue;
			var merged = List.copyOf(annotation.getChildObjects());
			assertEquals(1, merged.size(), "the class region holds the tiles; nothing sits beside it");
			assertEquals(annotation.getPathClass(), merged.get(0).getPathClass());
			assertEquals("Tessera: " + annotation.getPathClass(), merged.get(0).getName());
			assertEquals(annotation.getROI().getGeometry().getArea(), merged.get(0).getROI().getGeometry().getArea(), 1e-6);
			assertEquals(64, merged.get(0).getChildObjects().size());
			assertTrue(merged.get(0).getChildObjects().stream().allMatch(t -> t.isTile() && t.getPathClass() == annotation.getPathClass()));
		}
		assertEquals(256, imageData.getHierarchy().getTileObjects().size());
		// Applying again replaces the class regions and their tiles.
		assertEquals(256 + 4, Tessera.application(model).mergeClasses(true).apply(imageData));
		assertEquals(256, imageData.getHierarchy().getTileObjects().size());
		assertEquals(8, imageData.getHierarchy().getAnnotationObjects().size());
		// Evaluating afterwards still sees the user's four annotations only.
		assertEquals(256, Tessera.evaluation(model).evaluate(imageData).get("tiles").getAsInt());
	}

	@Test
	void applyingInsideChosenAnnotationsOnlyTouchesThemAndReplays(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		var annotations = List.copyOf(imageData.getHierarchy().getAnnotationObjects());
		// The selection as Apply model… reads it: through QuPath's selection model (in its
		// hierarchy.events package, whose wrong package once crashed the command).
		imageData.getHierarchy().getSelectionModel().selectObjects(List.of(annotations.get(0), annotations.get(3)));
		var chosen = Tessera.selectedAnnotations(imageData);
		assertEquals(List.of(annotations.get(0), annotations.get(3)), chosen);
		assertEquals(128, Tessera.application(model).apply(imageData, chosen));
		for (PathObject annotation : annotations)
			assertEquals(chosen.contains(annotation) ? 64 : 0, annotation.getChildObjects().size());
		String script = lastScript(imageData);
		assertTrue(script.contains(chosen.get(0).getID().toString()), script);
		TesseraScriptIT.run(script, imageData, Map.of());
		for (PathObject annotation : annotations)
			assertEquals(chosen.contains(annotation) ? 64 : 0, annotation.getChildObjects().size(), "re-applying replaces");
		assertEquals(128, Tessera.application(model).keepPrevious(true).apply(imageData, chosen));
		for (PathObject annotation : annotations)
			assertEquals(chosen.contains(annotation) ? 128 : 0, annotation.getChildObjects().size(), "asked to keep them");
		assertTrue(lastScript(imageData).contains(".keepPrevious(true)"), lastScript(imageData));
		// The precision asked for is recorded, and the replay runs in it.
		assertEquals(128, Tessera.application(model).precision("fp32").apply(imageData, chosen));
		String fp32 = lastScript(imageData);
		assertTrue(fp32.contains(".precision('fp32')"), fp32);
		TesseraScriptIT.run(fp32, imageData, Map.of());
		for (PathObject annotation : annotations)
			assertEquals(chosen.contains(annotation) ? 64 : 0, annotation.getChildObjects().size(), "the replay replaces");
	}

	@Test
	void anImageWithoutAnnotationsIsTiledWhereItsTissueIsAndTheTilesGoAtTheRoot(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		BufferedImage pixels = RedBlueImage.withGlass(RedBlueImage.image(), RedBlueImage.HALF, 0, RedBlueImage.HALF,
				RedBlueImage.SIZE);
		var imageData = new ImageData<>(RedBlueImage.server(pixels), new PathObjectHierarchy());
		int added = Tessera.application(model).apply(imageData);
		// 256 × 512 px of tissue hold 8 × 16 tiles of 32 px; the glass half holds none.
		assertEquals(128, added);
		var detections = imageData.getHierarchy().getDetectionObjects();
		assertEquals(128, detections.size());
		assertTrue(detections.stream().allMatch(d -> d.getROI().getBoundsX() < RedBlueImage.HALF));
		assertEquals(1, imageData.getHierarchy().getEventCount());
		assertEquals("qupath.ext.tessera.Tessera.application('" + model + "').minCoverage(0.25).mergeClasses(false)"
				+ ".apply(getCurrentImageData())", lastScript(imageData));
	}

	/** {@code model} with its out-of-distribution threshold set to 0: every image lies beyond it. */
	private static String strict(String model, Path dir) throws IOException {
		Path out = dir.resolve("strict.tessera");
		try (var in = new java.util.zip.ZipFile(model);
				var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(out))) {
			for (var entry : java.util.Collections.list(in.entries())) {
				byte[] bytes = in.getInputStream(entry).readAllBytes();
				if (entry.getName().equals("tessera.json")) {
					var metadata = JsonParser.parseString(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
					metadata.getAsJsonObject("shift").getAsJsonObject("features").addProperty("threshold", 0.0);
					bytes = metadata.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
				}
				zip.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
				zip.write(bytes);
				zip.closeEntry();
			}
		}
		return out.toString();
	}

	@Test
	void applyingScoresTheImageAgainstTheTrainingDataWarnsBeyondItAndAdaptsWhenAsked(@TempDir Path dir) throws IOException {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		List<String> warnings = new java.util.ArrayList<>();
		Application.useNotifications(warnings::add);
		try {
			assertEquals(256, Tessera.application(model).apply(imageData));
			var root = imageData.getHierarchy().getRootObject();
			double score = root.getMeasurementList().get(Application.OOD_MEASUREMENT);
			assertTrue(Double.isFinite(score) && score >= 0, "the image's score: " + score);
			assertEquals(List.of(), warnings, "the training image itself lies within the training folds' threshold");

			assertEquals(256, Tessera.application(strict(model, dir)).apply(imageData));
			assertEquals(1, warnings.size(), warnings.toString());
			assertTrue(warnings.get(0).contains("out-of-distribution score") && warnings.get(0).contains("threshold 0.000"),
					warnings.get(0));

			// AdaBN: recorded in the step, and the replay runs it again.
			var tiles = imageData.getHierarchy().getTileObjects().size() + imageData.getHierarchy().getDetectionObjects().size();
			assertEquals(256, Tessera.application(model).adaptNormalisation(true).apply(imageData));
			String script = lastScript(imageData);
			assertTrue(script.contains(".adaptNormalisation(true)"), script);
			TesseraScriptIT.run(script, imageData, Map.of());
			assertEquals(tiles, imageData.getHierarchy().getTileObjects().size() + imageData.getHierarchy().getDetectionObjects().size(),
					"the replay replaces the results");
			assertEquals(score, root.getMeasurementList().get(Application.OOD_MEASUREMENT), 1e-9,
					"the score is of the model as trained, before adaptation");
		} finally {
			Application.useNotifications(message -> {});
		}
	}

	@Test
	void aHeadOnABackboneTrainsAppliesAndReplays(@TempDir Path dir) throws IOException {
		Path backbone = dir.resolve("colour.onnx");
		Files.write(backbone, qupath.ext.tessera.bridge.Diagnostics.probeBackbone(32));
		String model = dir.resolve("transfer.tessera").toString();
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		var metrics = Tessera.training().tileSize(32).downsample(1).epochs(4).folds(2).seed(1)
				.backbone(backbone.toString(), 0).train(imageData, model);
		assertTrue(metrics.getAsJsonObject("cross_validation").get("mean_macro_f1").getAsDouble() > 0.9, metrics.toString());
		var architecture = ProjectModels.load(Path.of(model)).architecture().getAsJsonObject();
		assertEquals("colour.onnx", architecture.get("backbone").getAsString(), architecture.toString());
		assertTrue(lastScript(imageData).contains(".backbone('" + backbone + "', 0)"), lastScript(imageData));
		assertEquals(256, Tessera.application(model).apply(imageData));
		for (PathObject annotation : imageData.getHierarchy().getAnnotationObjects())
			assertEquals(Map.of(annotation.getPathClass().getName(), 64L), TesseraScriptIT.classesUnder(annotation));
	}

	@Test
	void aBackboneForAnotherTileSizeIsRefusedAndNothingIsWritten(@TempDir Path dir) throws IOException {
		Path backbone = dir.resolve("small.onnx");
		Files.write(backbone, qupath.ext.tessera.bridge.Diagnostics.probeBackbone(16));
		Path model = dir.resolve("never.tessera");
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		var e = assertThrows(InvalidInputException.class, () -> Tessera.training().tileSize(32).downsample(1).epochs(1)
				.folds(0).backbone(backbone.toString(), 0).train(imageData, model.toString()));
		assertTrue(e.getMessage().contains("16, 16"), e.getMessage());
		assertFalse(Files.exists(model));
		assertEquals(0, imageData.getHistoryWorkflow().getSteps().size());
	}

	/** A project of two red/blue images, kept in {@code dir}; {@code onSave} sees each save. */
	static Project<BufferedImage> project(Path dir, java.util.function.BiConsumer<String, ImageData<BufferedImage>> onSave) {
		List<ProjectImageEntry<BufferedImage>> entries = List.of("first", "second").stream()
				.map(name -> (ProjectImageEntry<BufferedImage>) new ProjectImageEntry<BufferedImage>() {
					@Override
					public String getImageName() {
						return name;
					}

					@Override
					public ImageData<BufferedImage> readImageData() {
						return RedBlueImage.imageData(RedBlueImage.image());
					}

					@Override
					public void saveImageData(ImageData<BufferedImage> imageData) {
						onSave.accept(name, imageData);
					}
				}).toList();
		return new Project<>() {
			@Override
			public String getName() {
				return "cohort";
			}

			@Override
			public Path getPath() {
				return dir.resolve("project.qpproj");
			}

			@Override
			public List<ProjectImageEntry<BufferedImage>> getImageList() {
				return entries;
			}
		};
	}

	@Test
	void trainingOverAProjectGroupsByImageAndKeepsTheModelInTheProject(@TempDir Path dir) {
		List<String> saved = new java.util.ArrayList<>();
		var project = project(dir, (name, data) -> saved.add(name));
		Path model = ProjectModels.path(project, "cohort-model");
		assertEquals(dir.resolve("tessera/models/cohort-model.tessera"), model);
		int closed = RedBlueImage.CLOSED.get();
		var metrics = Tessera.training().tileSize(32).downsample(1).epochs(2).folds(2).seed(3)
				.trainOnProject(project.getImageList(), model.toString());
		assertEquals(closed + 2, RedBlueImage.CLOSED.get(), "each image read from the project is closed");
		assertEquals(2, metrics.getAsJsonObject("cross_validation").getAsJsonArray("folds").size());
		assertEquals(List.of(), saved, "training never changes the images' data");

		var models = ProjectModels.list(ProjectModels.directory(project));
		assertEquals(1, models.size());
		var summary = models.get(0);
		assertEquals("cohort-model", summary.name());
		assertEquals(List.of("Blue", "Red"), summary.classes());
		assertEquals(32, summary.tileSize());
		assertEquals(List.of("first", "second"), summary.images());
		assertTrue(summary.crossValidationMacroF1() > 0.5, summary.toString());
		ProjectModels.delete(model);
		assertEquals(List.of(), ProjectModels.list(ProjectModels.directory(project)));
	}

	@Test
	void aProjectBatchAppliesToTheImageOpenInTheViewerInMemory(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		Map<String, ImageData<BufferedImage>> saved = new java.util.LinkedHashMap<>();
		var project = project(dir, saved::put);
		var first = project.getImageList().get(0);
		var open = RedBlueImage.imageData(RedBlueImage.image());
		Application.useOpenImages(entry -> entry == first ? open : null);
		try {
			int closed = RedBlueImage.CLOSED.get();
			var results = Tessera.application(model).applyToProject(project.getImageList());
			assertEquals(List.of(256, 256), results.stream().map(Tessera.ImageResult::objects).toList());
			assertEquals(List.of("first", "second"), List.copyOf(saved.keySet()));
			assertTrue(saved.get("first") == open, "the open image's data is what is saved, so a later save keeps the results");
			assertEquals(256, open.getHierarchy().getTileObjects().size());
			assertEquals(closed + 1, RedBlueImage.CLOSED.get(), "only the image read from disk is closed, never the open one");
		} finally {
			Application.useOpenImages(entry -> null);
		}
	}
}
