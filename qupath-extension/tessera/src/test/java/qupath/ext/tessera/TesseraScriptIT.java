package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import groovy.lang.Binding;
import groovy.lang.Closure;
import groovy.lang.GroovyShell;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;

/**
 * Real Groovy scripts against the facade, as a QuPath user would run them: train on an image's
 * annotations, apply the model, find the tile detections in the hierarchy, and replay the
 * recorded workflow step. QuPath's classes are the test doubles in {@code qupath.lib}; Tessera's
 * native library, ONNX Runtime and Groovy are real.
 */
class TesseraScriptIT {

	static Object run(String script, ImageData<BufferedImage> imageData, Map<String, Object> variables) {
		var binding = new Binding();
		binding.setVariable("getCurrentImageData", new Closure<ImageData<BufferedImage>>(null) {
			@SuppressWarnings("unused")
			public ImageData<BufferedImage> doCall() {
				return imageData;
			}
		});
		binding.setVariable("getAnnotationObjects", new Closure<Object>(null) {
			@SuppressWarnings("unused")
			public Object doCall() {
				return imageData.getHierarchy().getAnnotationObjects();
			}
		});
		variables.forEach(binding::setVariable);
		return new GroovyShell(TesseraScriptIT.class.getClassLoader(), binding).evaluate(script);
	}

	static Map<String, Long> classesUnder(PathObject annotation) {
		return annotation.getChildObjects().stream()
				.collect(Collectors.groupingBy(o -> o.getPathClass().getName(), Collectors.counting()));
	}

	@Test
	void trainApplyAndReplayFromGroovy(@TempDir Path dir) {
		BufferedImage pixels = RedBlueImage.image();
		var imageData = RedBlueImage.imageData(pixels);
		String model = dir.resolve("red-blue.tessera").toString();
		Object added = run("""
				import qupath.ext.tessera.Tessera
				def metrics = Tessera.training().tileSize(32).downsample(1).epochs(4).folds(2).seed(1)
				        .train(getCurrentImageData(), model)
				assert metrics.getAsJsonObject('cross_validation').get('mean_macro_f1').getAsDouble() > 0.9
				Tessera.application(model).apply(getCurrentImageData())
				""", imageData, Map.of("model", model));

		// 4 annotations of 256² px hold 64 tiles of 32² each.
		assertEquals(256, added);
		var hierarchy = imageData.getHierarchy();
		assertEquals(256, hierarchy.getDetectionObjects().size());
		assertEquals(1, hierarchy.getEventCount(), "all detections are added in one hierarchy change");
		for (PathObject annotation : hierarchy.getAnnotationObjects()) {
			String expected = annotation.getPathClass().getName();
			assertEquals(Map.of(expected, 64L), classesUnder(annotation), "tiles below a " + expected + " annotation");
			var tile = annotation.getChildObjects().iterator().next();
			assertTrue(tile.isTile(), "results are tile objects, as QuPath's tile classifiers make them");
			var measurements = tile.getMeasurementList().asMap();
			var unsure = qupath.ext.tessera.bridge.Uncertainty.names();
			assertEquals(Set.of("Red", "Blue", unsure.entropy(), unsure.margin()), measurements.keySet(),
					"one measurement per class, named by the class, and how unsure the prediction is");
			assertEquals("Tessera: uncertainty (entropy)", unsure.entropy());
			double red = measurements.get("Red").doubleValue(), blue = measurements.get("Blue").doubleValue();
			assertEquals(1.0, red + blue, 1e-4);
			// Two classes: the margin is |p₁ − p₂|, the entropy −Σ p ln p / ln 2.
			assertEquals(Math.abs(red - blue), measurements.get(unsure.margin()).doubleValue(), 1e-4);
			double entropy = -(red * Math.log(red) + blue * Math.log(blue)) / Math.log(2);
			assertEquals(entropy, measurements.get(unsure.entropy()).doubleValue(), 1e-4);
		}
		assertEquals(List.of("red-blue.tif"), ProjectModels.read(Path.of(model)).images(),
				"the model names its training image as QuPath shows it, not by the server's internal path");

		// The recorded steps, replayed on a fresh copy of the image, give the same detections.
		List<String> scripts = imageData.getHistoryWorkflow().getSteps().stream()
				.map(step -> ((DefaultScriptableWorkflowStep) step).getScript()).toList();
		assertEquals(2, scripts.size());
		assertTrue(scripts.get(1).startsWith("qupath.ext.tessera.Tessera.application("), scripts.get(1));
		var replay = RedBlueImage.imageData(pixels);
		run(scripts.get(1), replay, Map.of());
		assertEquals(256, replay.getHierarchy().getDetectionObjects().size());
		// Replayed on the same image, the step replaces its earlier results (one set, one change).
		run(scripts.get(1), imageData, Map.of());
		assertEquals(256, hierarchy.getDetectionObjects().size());
		assertEquals(2, hierarchy.getEventCount());
		for (PathObject annotation : replay.getHierarchy().getAnnotationObjects())
			assertEquals(Map.of(annotation.getPathClass().getName(), 64L), classesUnder(annotation));
	}

	@Test
	void aFailingApplyLeavesTheHierarchyUnchanged(@TempDir Path dir) {
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		String missing = dir.resolve("missing.tessera").toString();
		var e = assertThrows(RuntimeException.class, () -> run(
				"qupath.ext.tessera.Tessera.application(model).apply(getCurrentImageData())", imageData, Map.of("model", missing)));
		assertTrue(e.getMessage().contains("missing.tessera"), e.getMessage());
		assertEquals(0, imageData.getHierarchy().getDetectionObjects().size());
		assertEquals(0, imageData.getHierarchy().getEventCount());
		assertEquals(0, imageData.getHistoryWorkflow().getSteps().size());
	}

	/** A model trained once from Java (1 epoch, no cross-validation) for the tests below. */
	static String quickModel(Path dir) {
		String model = dir.resolve("quick.tessera").toString();
		Tessera.training().tileSize(32).downsample(1).epochs(1).folds(0).train(RedBlueImage.imageData(RedBlueImage.image()), model);
		return model;
	}

	@Test
	void cancellingAnApplyLeavesTheHierarchyUnchanged(@TempDir Path dir) {
		String model = quickModel(dir);
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		try (var token = new qupath.ext.tessera.bridge.CancellationToken()) {
			assertThrows(qupath.ext.tessera.bridge.CancelledException.class, () -> Tessera.application(model)
					.progress((done, total, message) -> token.cancel()).cancel(token).apply(imageData));
		}
		assertEquals(0, imageData.getHierarchy().getDetectionObjects().size());
		assertEquals(0, imageData.getHierarchy().getEventCount());
		assertEquals(0, imageData.getHistoryWorkflow().getSteps().size());
	}

	@Test
	void aBatchGoesOnPastACorruptImageAndReportsIt(@TempDir Path dir) {
		String model = quickModel(dir);
		BufferedImage pixels = RedBlueImage.image();
		List<String> saved = new java.util.ArrayList<>();
		List<qupath.lib.projects.ProjectImageEntry<BufferedImage>> entries = List.of("first", "corrupt", "third").stream()
				.map(name -> (qupath.lib.projects.ProjectImageEntry<BufferedImage>) new qupath.lib.projects.ProjectImageEntry<BufferedImage>() {
					@Override
					public String getImageName() {
						return name;
					}

					@Override
					public ImageData<BufferedImage> readImageData() throws java.io.IOException {
						if (name.equals("corrupt"))
							throw new java.io.IOException("corrupt.svs: not a TIFF file");
						return RedBlueImage.imageData(pixels);
					}

					@Override
					public void saveImageData(ImageData<BufferedImage> imageData) {
						assertEquals(256, imageData.getHierarchy().getDetectionObjects().size());
						saved.add(name);
					}
				}).toList();
		int closed = RedBlueImage.CLOSED.get();
		var results = Tessera.application(model).applyToProject(entries);
		assertEquals(closed + 2, RedBlueImage.CLOSED.get(), "each image read from the project is closed");
		assertEquals(List.of("first", "third"), saved);
		assertEquals(3, results.size());
		assertEquals(256, results.get(0).objects());
		assertEquals("corrupt.svs: not a TIFF file", results.get(1).error());
		assertEquals(256, results.get(2).objects());
		assertEquals(null, results.get(2).error());
	}
}
