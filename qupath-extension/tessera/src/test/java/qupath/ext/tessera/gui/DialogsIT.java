package qupath.ext.tessera.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import javafx.application.Platform;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import qupath.ext.tessera.bridge.CancellationToken;
import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.ROIs;

/**
 * The dialogs open on JavaFX's headless platform, pre-filled from the demo image (its real
 * annotations and pixel size), and are saved as PNG snapshots in {@code target/dialogs/} to look at.
 */
class DialogsIT {

	private static final Path DEMO = Path.of("../../data/demo/CMU-1-Small-Region.annotations.geojson");
	private static final Path SNAPSHOTS = Path.of("../target/dialogs");

	@BeforeAll
	static void startHeadlessJavaFx() throws Exception {
		System.setProperty("glass.platform", "Headless");
		System.setProperty("prism.order", "sw");
		var started = new CompletableFuture<Void>();
		Platform.startup(() -> started.complete(null));
		started.get(30, TimeUnit.SECONDS);
		// Tests open and close windows: JavaFX must not stop when the last one closes.
		Platform.setImplicitExit(false);
		Files.createDirectories(SNAPSHOTS);
	}

	/** The demo image as QuPath would hold it: CMU-1-Small-Region at 0.499 µm/px with its annotations. */
	private static ImageData<BufferedImage> demo() throws IOException {
		var hierarchy = new PathObjectHierarchy();
		for (var feature : JsonParser.parseString(Files.readString(DEMO)).getAsJsonObject().getAsJsonArray("features")) {
			var object = feature.getAsJsonObject();
			var ring = object.getAsJsonObject("geometry").getAsJsonArray("coordinates").get(0).getAsJsonArray();
			double[] x = new double[ring.size() - 1], y = new double[ring.size() - 1];
			for (int i = 0; i < x.length; i++) {
				x[i] = ring.get(i).getAsJsonArray().get(0).getAsDouble();
				y[i] = ring.get(i).getAsJsonArray().get(1).getAsDouble();
			}
			String name = object.getAsJsonObject("properties").getAsJsonObject("classification").get("name").getAsString();
			hierarchy.addObject(PathObjects.createAnnotationObject(ROIs.createPolygonROI(x, y, ImagePlane.getDefaultPlane()),
					PathClass.fromString(name)));
		}
		ImageServer<BufferedImage> server = new qupath.ext.tessera.TestServer(
				"qupath.lib.images.servers.openslide.OpenslideServer: file:///data/CMU-1-Small-Region.svs", "CMU-1-Small-Region.svs",
				List.of(), 2220, 2967, 0.499, request -> {
					throw new AssertionError("the dialogs never read pixels");
				}, () -> {});
		return new ImageData<>(server, hierarchy);
	}

	/** The demo GeoJSON's annotations per class, counted independently of Tessera. */
	private static Map<String, Integer> demoCounts() throws IOException {
		Map<String, Integer> counts = new TreeMap<>();
		for (var feature : JsonParser.parseString(Files.readString(DEMO)).getAsJsonObject().getAsJsonArray("features"))
			counts.merge(feature.getAsJsonObject().getAsJsonObject("properties").getAsJsonObject("classification")
					.get("name").getAsString(), 1, Integer::sum);
		return counts;
	}

	private static ImageContext context(Path models) throws IOException {
		return ImageContext.of(demo(), "CMU-1-Small-Region.svs", List.of("CMU-1-Small-Region.svs", "CMU-2.svs"), models);
	}

	private static final Defaults DEFAULTS = new Defaults(64, 0.5, 2, Path.of("/models"));

	/** Runs {@code body} on the JavaFX thread and waits for it. */
	private static <T> T onFx(java.util.concurrent.Callable<T> body) throws Exception {
		var result = new CompletableFuture<T>();
		Platform.runLater(() -> {
			try {
				result.complete(body.call());
			} catch (Throwable e) {
				result.completeExceptionally(e);
			}
		});
		return result.get(30, TimeUnit.SECONDS);
	}

	/** Lays {@code root} out in a scene and saves a snapshot as {@code name}.png; returns its size. */
	private static int[] snapshot(Parent root, String name) throws IOException {
		var scene = new Scene(root);
		root.applyCss();
		root.layout();
		WritableImage image = root.snapshot(null, null);
		int w = (int) image.getWidth(), h = (int) image.getHeight();
		var out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				out.setRGB(x, y, image.getPixelReader().getArgb(x, y));
		ImageIO.write(out, "png", SNAPSHOTS.resolve(name + ".png").toFile());
		assertTrue(scene.getRoot() == root);
		return new int[] {w, h};
	}

	/** A package holding only {@code tessera.json} (listing reads nothing else). */
	private static Path packageFile(Path dir, String name, double cvF1) throws IOException {
		Files.createDirectories(dir);
		Path file = dir.resolve(name + ".tessera");
		try (var zip = new ZipOutputStream(Files.newOutputStream(file))) {
			zip.putNextEntry(new ZipEntry("tessera.json"));
			var writer = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
			writer.write("""
					{"name": "%s", "classes": [{"name": "Background"}, {"name": "Epithelium"}, {"name": "Stroma"}],
					 "input": {"tile_size": 64, "mpp": 0.5},
					 "metrics": {"cross_validation": {"mean_macro_f1": %s}, "final_hold_out": {"macro_f1": {"value": 0.92}}},
					 "provenance": {"images": ["CMU-1-Small-Region.svs"]}}
					""".formatted(name, cvF1));
			writer.flush();
			zip.closeEntry();
		}
		return file;
	}

	@Test
	void trainDialogIsPrefilledFromTheDemoImage(@TempDir Path dir) throws Exception {
		var context = context(dir);
		var counts = demoCounts();
		onFx(() -> {
			var form = new TrainForm(TrainForm.Kind.TILES, context, DEFAULTS);
			assertEquals(counts, counts(form));
			assertEquals(List.of("Background", "Epithelium", "Stroma"), List.copyOf(counts.keySet()));
			assertEquals("CMU-1-Small-Region-classifier", form.name.getText());
			assertEquals(dir.toString(), form.folder.getText());
			assertEquals(64, form.tiling.tileSize.getValue());
			assertTrue(form.tiling.byMicrons);
			assertEquals(0.5, form.tiling.resolution.getValue());
			assertEquals(List.of("CMU-1-Small-Region.svs", "CMU-2.svs"), form.chosenImages());
			assertEquals(dir.resolve("CMU-1-Small-Region-classifier.tessera"), form.modelPath());
			assertTrue(form.backbone.getText().isEmpty(), "from scratch by default");
			assertTrue(form.parent.getEditor().getText().isEmpty(), "no parent model by default");
			int[] size = snapshot(form.pane(), "train");
			assertTrue(size[0] > 300 && size[1] > 300, size[0] + "×" + size[1]);
			form.tiling.tileSize.getValueFactory().setValue(96);
			form.epochs.getValueFactory().setValue(12);
			assertTrue(form.problem().orElseThrow().contains("4 folds grouped by image need at least 4 images"), form.problem().toString());
			form.folds.getValueFactory().setValue(1);
			assertTrue(form.problem().orElseThrow().contains("at least 2 folds"));
			form.folds.getValueFactory().setValue(2);
			assertTrue(form.problem().isEmpty(), form.problem().toString());
			form.folds.getValueFactory().setValue(4);
			String script = form.job().projectScript(List.of("CMU-2.svs"), "m.tessera");
			assertTrue(script.contains(".tileSize(96).micronsPerPixel(0.5)") && script.contains(".epochs(12).folds(4)"), script);
			assertFalse(script.contains(".from("), script);
			form.parent.getEditor().setText(" /models/parent.tessera ");
			String fineTuning = form.job().projectScript(List.of("CMU-2.svs"), "m.tessera");
			assertTrue(fineTuning.contains(".from('/models/parent.tessera').trainOnProject("), fineTuning);
			return null;
		});
	}

	@Test
	void pixelTrainDialogStartsFromTheSegmentationDefaultsAndDescribesItsJob(@TempDir Path dir) throws Exception {
		var context = context(dir);
		onFx(() -> {
			var form = new TrainForm(TrainForm.Kind.PIXELS, context, DEFAULTS);
			assertEquals("CMU-1-Small-Region-pixels", form.name.getText());
			assertEquals(64, form.tiling.tileSize.getValue());
			assertEquals(1.0, form.tiling.resolution.getValue());
			assertEquals(0.5, form.overlap.getValue());
			assertEquals(0.25, form.minCoverage.getValue());
			assertEquals("cross-entropy+dice", form.loss.getValue());
			assertEquals(null, form.backbone, "no backbone for a U-Net");
			assertEquals(null, form.parent);
			assertEquals(counts(form), demoCounts());
			snapshot(form.pane(), "train-pixels");
			form.loss.setValue("dice");
			form.epochs.getValueFactory().setValue(6);
			form.folds.getValueFactory().setValue(2);
			var job = form.job();
			assertTrue(job instanceof qupath.ext.tessera.Segmentation, job.getClass().toString());
			String script = job.projectScript(List.of("CMU-2.svs", "CMU-1-Small-Region.svs"), "m.tessera");
			assertTrue(script.startsWith("qupath.ext.tessera.Tessera.segmentation().tileSize(64).micronsPerPixel(1.0)"
					+ ".overlap(0.5).minCoverage(0.25).epochs(6).folds(2).seed(0).loss('dice').trainOnProject("), script);
			var step = job.projectStep(List.of("CMU-2.svs"), "m.tessera");
			assertEquals("Tessera: train pixel classifier", step.getName());
			return null;
		});
	}

	private static Map<String, Integer> counts(TrainForm form) {
		return form.classes.getItems().stream()
				.collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
	}

	@Test
	void modelDialogsListTheProjectModels(@TempDir Path dir) throws Exception {
		Path model = packageFile(dir, "demo", 0.907);
		var context = context(dir);
		onFx(() -> {
			var apply = new ModelForm(ModelForm.Purpose.APPLY, context, DEFAULTS);
			assertEquals(List.of(model.toString()), apply.model.getItems());
			assertEquals(model.toString(), apply.modelPath());
			assertEquals(2, apply.threads.getValue());
			assertEquals("cpu", apply.device.getValue());
			assertFalse(apply.mergeClasses.isSelected());
			assertFalse(apply.adaptNormalisation.isSelected());
			assertFalse(apply.onlySelected());
			assertTrue(apply.heatmaps.getText().isEmpty(), "no heatmaps by default");
			apply.heatmaps.setText(" /maps ");
			var refused = org.junit.jupiter.api.Assertions.assertThrows(qupath.ext.tessera.bridge.InvalidInputException.class,
					() -> apply.application().applyToProject(List.of()));
			assertTrue(refused.getMessage().contains("heatmaps('/maps')"), "the folder reaches the job: " + refused.getMessage());
			apply.heatmaps.setText("");
			apply.offerSelection(2);
			assertTrue(apply.onlySelected());
			snapshot(apply.pane(), "apply");
			var evaluate = new ModelForm(ModelForm.Purpose.EVALUATE, context, DEFAULTS);
			assertEquals(null, evaluate.mergeClasses);
			assertEquals(null, evaluate.adaptNormalisation);
			snapshot(evaluate.pane(), "evaluate");
			var project = new ModelForm(ModelForm.Purpose.PROJECT, context, DEFAULTS);
			assertEquals(List.of("CMU-1-Small-Region.svs", "CMU-2.svs"), project.chosenImages());
			snapshot(project.pane(), "run-for-project");
			var export = new ExportForm(context, DEFAULTS);
			assertEquals(64, export.tiling.tileSize.getValue());
			assertEquals(dir.resolveSibling("tiles").toString(), export.folder());
			snapshot(export.pane(), "export-tiles");
			var models = new ModelsView(dir, m -> {}, m -> {});
			assertEquals(1, models.table.getItems().size());
			assertEquals(0.907, models.table.getItems().get(0).crossValidationMacroF1());
			models.table.getSelectionModel().select(0);
			assertFalse(models.delete.isDisabled());
			snapshot(models.pane(), "manage-models");
			return null;
		});
	}

	/** A 128 px image, red on the left and blue on the right, with two annotations of each class. */
	private static ImageData<BufferedImage> redBlue() {
		var pixels = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
		var random = new java.util.Random(5);
		for (int y = 0; y < 128; y++)
			for (int x = 0; x < 128; x++) {
				int n = random.nextInt(60);
				pixels.setRGB(x, y, x < 64 ? (180 + n) << 16 | (80 + n) << 8 | (60 + n) : (60 + n) << 16 | (80 + n) << 8 | (180 + n));
			}
		var hierarchy = new PathObjectHierarchy();
		for (int i = 0; i < 4; i++)
			hierarchy.addObject(PathObjects.createAnnotationObject(ROIs.createRectangleROI(64 * (i / 2), 64 * (i % 2), 64, 64,
					ImagePlane.getDefaultPlane()), PathClass.fromString(i < 2 ? "Red" : "Blue")));
		ImageServer<BufferedImage> server = new qupath.ext.tessera.TestServer("memory://review", "review.tif", List.of(),
				128, 128, 0.5, request -> pixels.getSubimage(request.getX(), request.getY(), request.getWidth(),
						request.getHeight()), () -> {});
		return new ImageData<>(server, hierarchy);
	}

	@Test
	void theReviewTableShowsEachTileAndClassifiesByKey(@TempDir Path dir) throws Exception {
		var imageData = redBlue();
		String model = dir.resolve("m.tessera").toString();
		qupath.ext.tessera.Tessera.training().tileSize(16).downsample(1).epochs(1).folds(0).train(imageData, model);
		qupath.ext.tessera.Tessera.application(model).apply(imageData);
		var found = qupath.ext.tessera.Tessera.review().count(4).find(imageData);
		var drawn = imageData.getHierarchy().getAnnotationObjects().stream()
				.filter(a -> !qupath.ext.tessera.ReviewObjects.isReviewObject(a)).map(a -> a.getPathClass().getName()).toList();
		List<Object> shown = new java.util.ArrayList<>();
		onFx(() -> {
			var table = new ReviewTable(imageData, shown::add, Runnable::run);
			assertEquals(found, table.table().getItems());
			assertEquals(List.of("Blue", "Red"), table.classes());
			assertEquals(List.of(found.get(0)), shown, "the first row is shown in the viewer");
			for (var review : found) {
				double side = table.thumbnail(review).getWidth();
				assertTrue(side >= 16 && side <= 32, "the 16 px tile and up to half a tile round it, read at full resolution: " + side);
			}
			snapshot(table.pane(), "review-table");
			assertTrue(table.key(javafx.scene.input.KeyCode.A));
			assertEquals(qupath.ext.tessera.ReviewObjects.predicted(found.get(0)), qupath.ext.tessera.ReviewObjects.className(found.get(0)));
			assertEquals(found.get(1), shown.get(shown.size() - 1), "the next row is shown");
			assertTrue(table.key(javafx.scene.input.KeyCode.DIGIT2));
			assertEquals("Red", qupath.ext.tessera.ReviewObjects.className(found.get(1)));
			assertTrue(table.key(javafx.scene.input.KeyCode.S));
			assertTrue(qupath.ext.tessera.ReviewObjects.isWaiting(found.get(2)), "skipping changes nothing");
			assertFalse(table.key(javafx.scene.input.KeyCode.DIGIT9), "no ninth class");
			assertFalse(table.key(javafx.scene.input.KeyCode.X));
			assertTrue(table.key(javafx.scene.input.KeyCode.NUMPAD1));
			assertEquals("Blue", qupath.ext.tessera.ReviewObjects.className(found.get(3)));
			return null;
		});
		assertEquals(drawn, imageData.getHierarchy().getAnnotationObjects().stream()
				.filter(a -> !qupath.ext.tessera.ReviewObjects.isReviewObject(a)).map(a -> a.getPathClass().getName()).toList(),
				"the user's annotations keep their classes");
	}

	@Test
	void thePixelClassifierCommandsJobTrainsRecordsItsStepAndItsResultsShowIou(@TempDir Path dir) throws Exception {
		var imageData = redBlue();
		var context = ImageContext.of(imageData, "review.tif", List.of(), dir);
		var form = onFx(() -> {
			var pixels = new TrainForm(TrainForm.Kind.PIXELS, context, DEFAULTS);
			pixels.tiling.tileSize.getValueFactory().setValue(16);
			pixels.tiling.resolution.getValueFactory().setValue(0.5);
			pixels.epochs.getValueFactory().setValue(2);
			pixels.folds.getValueFactory().setValue(2);
			return pixels;
		});
		assertTrue(form.problem().isEmpty(), form.problem().toString());
		var metrics = form.job().train(imageData, form.modelPath().toString());
		assertTrue(metrics.getAsJsonObject("cross_validation").has("mean_iou"), metrics.toString());
		var steps = imageData.getHistoryWorkflow().getSteps();
		assertEquals("Tessera: train pixel classifier", steps.get(steps.size() - 1).getName());
		var model = qupath.ext.tessera.ProjectModels.load(form.modelPath());
		assertEquals("segmentation", model.task());
		assertTrue(model.metrics().finalHoldOut().classes().stream().allMatch(c -> c.iou() != null), "per-class IoU read");
		assertTrue(model.training().history().stream().allMatch(e -> e.validationMeanIou() != null), "IoU per epoch read");
		onFx(() -> {
			var view = ResultsView.of(model);
			assertTrue(view.summary.getText().contains("labelled pixels · mean IoU "), view.summary.getText());
			assertTrue(view.summary.getText().contains("Cross-validation (2 folds): mean IoU "), view.summary.getText());
			assertEquals("IoU", view.classes.getColumns().get(1).getText());
			assertEquals(model.training().history().size(), view.curves.getData().get(1).getData().size());
			return null;
		});
	}

	@Test
	void theFindFormOffersNoProjectWideFindWithoutAProject() throws Exception {
		onFx(() -> {
			var form = new ReviewForm(false);
			assertTrue(form.wholeProject.isDisabled(), "no project, no project-wide find");
			form.count.getValueFactory().setValue(7);
			form.ranking.setValue("loss");
			snapshot(form.pane(), "find-tiles-to-review");
			assertFalse(form.wholeProject());
			return null;
		});
	}

	@Test
	void progressWindowShowsStageAndEtaAndCancels() throws Exception {
		try (var token = new CancellationToken()) {
			var window = onFx(() -> new ProgressWindow(token));
			window.onProgress(25, 100, "Fold 1/4 · epoch 3/20");
			onFx(() -> {
				assertEquals("Fold 1/4 · epoch 3/20", window.stage.getText());
				assertEquals(0.25, window.bar.getProgress(), 1e-9);
				assertTrue(window.remaining.getText().startsWith("about "), window.remaining.getText());
				snapshot(window.pane(), "progress");
				window.cancel.fire();
				return null;
			});
			assertTrue(token.isCancelled());
		}
		assertEquals("about 30 s left", ProgressWindow.eta(10, 25, 100));
		assertEquals("about 5 min left", ProgressWindow.eta(100, 25, 100));
		assertEquals(" ", ProgressWindow.eta(10, 0, 100));
	}

	@Test
	void resultsViewShowsMetricsConfusionAndCurves() throws Exception {
		JsonObject report = JsonParser.parseString("""
				{"tiles": 10, "accuracy": {"value": 0.8, "ci95": {"low": 0.5, "high": 1.0}},
				 "balanced_accuracy": {"value": 0.75, "ci95": {"low": 0.5, "high": 1.0}},
				 "macro_f1": {"value": 0.76, "ci95": {"low": 0.4, "high": 1.0}},
				 "classes": [
				   {"name": "Epithelium", "precision": 0.8, "recall": 1.0, "f1": 0.889, "support": 4, "roc_auc": 0.95,
				    "roc_curve": [[0, 0], [0, 0.75], [0.5, 1], [1, 1]]},
				   {"name": "Stroma", "precision": 0.8, "recall": 0.667, "f1": 0.727, "support": 6, "roc_auc": null, "roc_curve": null}],
				 "confusion": {"classes": 2, "counts": [4, 0, 2, 4]}}
				""").getAsJsonObject();
		var history = JsonParser.parseString("""
				[{"epoch": 1, "train_loss": 0.9, "validation_macro_f1": 0.6}, {"epoch": 2, "train_loss": 0.5, "validation_macro_f1": 0.76}]
				""").getAsJsonArray();
		onFx(() -> {
			var view = new ResultsView(qupath.ext.tessera.bridge.PackageRecords.report(report), null,
					qupath.ext.tessera.bridge.PackageRecords.epochs(history));
			assertTrue(view.summary.getText().contains("macro-F1 0.760 [0.400, 1.000]"), view.summary.getText());
			assertEquals(2, view.classes.getItems().size());
			assertEquals("–", view.classes.getColumns().get(5).getCellData(1));
			assertEquals(2 + 2 * 2 + 2, view.confusion.getChildren().size());
			assertEquals(2, view.curves.getData().size());
			assertEquals(1, view.roc.getData().size());
			assertEquals(4, view.roc.getData().get(0).getData().size());
			snapshot(view.pane(), "results");
			return null;
		});
	}

	@Test
	void resultsViewShowsAPixelClassifiersIouDiceConfusionAndCurves() throws Exception {
		// A segmenter's report: pixels counted as tiles, F1 is Dice, a mean IoU, per-class IoU.
		JsonObject report = JsonParser.parseString("""
				{"tiles": 5000, "mean_iou": {"value": 0.7, "ci95": {"low": 0.6, "high": 0.8}},
				 "accuracy": {"value": 0.9, "ci95": {"low": 0.85, "high": 0.95}}, "balanced_accuracy": {"value": 0.88, "ci95": {"low": 0.8, "high": 0.94}},
				 "macro_f1": {"value": 0.82, "ci95": {"low": 0.7, "high": 0.9}}, "confusion": {"classes": 2, "counts": [2400, 600, 300, 1700]},
				 "classes": [
				   {"name": "Epithelium", "precision": 0.9, "recall": 0.8, "f1": 0.847, "support": 3000, "roc_auc": null,
				    "roc_curve": null, "iou": 0.735},
				   {"name": "Stroma", "precision": 0.7, "recall": 0.85, "f1": 0.768, "support": 2000, "roc_auc": null,
				    "roc_curve": null, "iou": 0.623}]}
				""").getAsJsonObject();
		var history = JsonParser.parseString("""
				[{"epoch": 1, "train_loss": 1.2, "validation_macro_f1": 0.6, "validation_mean_iou": 0.45},
				 {"epoch": 2, "train_loss": 0.8, "validation_macro_f1": 0.8, "validation_mean_iou": 0.68}]
				""").getAsJsonArray();
		var crossValidation = new qupath.ext.tessera.bridge.PackageRecords.CrossValidation(List.of(), 0.9, 0.88, 0.81, 0.69);
		onFx(() -> {
			var records = qupath.ext.tessera.bridge.PackageRecords.report(report);
			assertTrue(records.pixels());
			var view = new ResultsView(records, crossValidation, qupath.ext.tessera.bridge.PackageRecords.epochs(history));
			String summary = view.summary.getText();
			assertTrue(summary.contains("5000 labelled pixels · mean IoU 0.700 [0.600, 0.800] · mean Dice 0.820 [0.700, 0.900]"
					+ " · pixel accuracy 0.900 [0.850, 0.950]"), summary);
			assertTrue(summary.contains("mean IoU 0.690 · mean Dice 0.810"), summary);
			assertEquals(List.of("Class", "IoU", "Dice", "precision", "recall", "pixels"),
					view.classes.getColumns().stream().map(c -> c.getText()).toList());
			assertEquals("0.735", view.classes.getColumns().get(1).getCellData(0));
			assertEquals("0.768", view.classes.getColumns().get(2).getCellData(1));
			assertEquals("2000", view.classes.getColumns().get(5).getCellData(1));
			assertEquals(2 + 2 * 2 + 2, view.confusion.getChildren().size());
			assertEquals("validation mean IoU", view.curves.getData().get(1).getName());
			assertEquals(0.68, view.curves.getData().get(1).getData().get(1).getYValue().doubleValue(), 1e-12);
			assertEquals(null, view.roc, "no ROC curves for pixels");
			snapshot(view.pane(), "results-pixels");
			return null;
		});
	}

	/** The open window titled {@code title}, if any. */
	private static java.util.Optional<javafx.stage.Window> window(String title) {
		return javafx.stage.Window.getWindows().stream()
				.filter(w -> w instanceof javafx.stage.Stage stage && title.equals(stage.getTitle())).findFirst();
	}

	@Test
	void aJobsResultAndErrorAreOwnedByTheMainWindowAndOutliveTheProgressWindow() throws Exception {
		var main = onFx(() -> {
			var stage = new javafx.stage.Stage();
			stage.setTitle("QuPath");
			stage.setScene(new Scene(new javafx.scene.control.Label("QuPath"), 400, 300));
			stage.show();
			return stage;
		});
		var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
		try {
			var runner = new JobRunner(main, executor, (title, text) -> {}, (title, text) -> false);
			var progressSeen = new CompletableFuture<Boolean>();
			var shown = new CompletableFuture<javafx.scene.control.Dialog<?>>();
			var job = onFx(() -> runner.run("Training demo.tessera", p -> {}, c -> {}, () -> {
				progressSeen.complete(onFx(() -> window("Tessera: Training demo.tessera").isPresent()));
				return 42;
			}, (result, owner) -> {
				var dialog = Messages.message(owner, "Tessera: trained", "result " + result);
				shown.complete(dialog);
				return dialog;
			}));
			job.get(30, TimeUnit.SECONDS);
			assertTrue(progressSeen.get(30, TimeUnit.SECONDS), "the progress window is open while the job runs");
			var dialog = shown.get(30, TimeUnit.SECONDS);
			onFx(() -> {
				assertTrue(dialog.isShowing(), "the result is on screen");
				assertTrue(dialog.getOwner() == main, "owned by the main window, never by the progress window");
				assertFalse(window("Tessera: Training demo.tessera").isPresent(), "the progress window is closed");
				dialog.close();
				return null;
			});

			var failed = onFx(() -> runner.run("Evaluating demo.tessera", p -> {}, c -> {}, () -> {
				throw new IllegalStateException("slide.svs: not a slide");
			}, (result, owner) -> null));
			failed.get(30, TimeUnit.SECONDS);
			onFx(() -> {
				var error = window("Tessera: Evaluating demo.tessera failed").orElseThrow();
				assertTrue(error.isShowing(), "the error is on screen, not only in the log");
				assertTrue(((javafx.stage.Stage) error).getOwner() == main);
				assertFalse(window("Tessera: Evaluating demo.tessera").isPresent());
				((javafx.stage.Stage) error).close();
				main.close();
				return null;
			});
		} finally {
			executor.shutdownNow();
		}
	}

	@Test
	void aJobRefusedForTooManyTilesAsksAndRunsAgainWithoutTheLimitWhenTheUserAgrees() throws Exception {
		var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
		try {
			for (boolean agree : new boolean[] {true, false}) {
				var questions = new java.util.ArrayList<String>();
				var runs = new java.util.concurrent.atomic.AtomicInteger();
				var shown = new CompletableFuture<Integer>();
				var runner = new JobRunner(null, executor, (title, text) -> {}, (title, text) -> {
					questions.add(text);
					return agree;
				});
				var job = qupath.ext.tessera.Tessera.training();
				onFx(() -> runner.run("Exporting tiles", job, () -> {
					if (runs.incrementAndGet() == 1)
						throw new qupath.ext.tessera.bridge.TooManyTilesException(
								"slide.svs: this would make about 4000000 tiles, more than the 1000000 made without confirmation");
					return 7;
				}, (result, owner) -> {
					shown.complete(result);
					return null;
				})).get(30, TimeUnit.SECONDS);
				if (agree)
					assertEquals(7, shown.get(30, TimeUnit.SECONDS), "run again once the user agreed");
				else
					Thread.sleep(500);
				onFx(() -> null);
				assertEquals(List.of(true), questions.stream().map(q -> q.contains("about 4000000 tiles")).toList(),
						"asked once, with the estimate");
				assertEquals(agree ? 2 : 1, runs.get(), "a second run only when the user agreed");
			}
		} finally {
			executor.shutdownNow();
		}
	}
}
