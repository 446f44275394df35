package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.Uncertainty;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;

/**
 * The human-in-the-loop through the real native library: applied tiles ranked and spread by the
 * core into review objects, classified by the user, and a model fine-tuned from its parent.
 */
class ReviewIT {

	private static String lastScript(ImageData<BufferedImage> imageData) {
		var steps = imageData.getHistoryWorkflow().getSteps();
		return ((DefaultScriptableWorkflowStep) steps.get(steps.size() - 1)).getScript();
	}

	/** The red/blue image with the quick model applied inside its four annotations. */
	private static ImageData<BufferedImage> applied(String model) {
		var imageData = RedBlueImage.imageData(RedBlueImage.image());
		Tessera.application(model).apply(imageData);
		return imageData;
	}

	/** Each user annotation's class, ROI bounds and number of children, to show they are never changed. */
	private static List<String> userAnnotations(ImageData<BufferedImage> imageData) {
		return imageData.getHierarchy().getAnnotationObjects().stream().filter(a -> !ReviewObjects.isReviewObject(a))
				.map(a -> a.getPathClass() + " " + a.getROI().getBoundsX() + "," + a.getROI().getBoundsY() + " "
						+ a.getROI().getBoundsWidth() + " " + a.getChildObjects().size())
				.toList();
	}

	private static String describe(PathObject review) {
		return review.getName() + " " + review.getROI().getBoundsX() + "," + review.getROI().getBoundsY();
	}

	@Test
	void theMostUncertainTilesBecomeUnclassifiedReviewObjectsInOneChangeAndTheStepReplays(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = applied(model);
		var before = userAnnotations(imageData);
		long events = imageData.getHierarchy().getEventCount();
		var added = Tessera.review().count(5).by("uncertainty").find(imageData);

		assertEquals(5, added.size());
		assertEquals(events + 1, imageData.getHierarchy().getEventCount(), "one hierarchy change");
		assertEquals(before, userAnnotations(imageData), "the user's annotations and their tiles are unchanged");
		String entropy = Uncertainty.names().entropy();
		double highest = imageData.getHierarchy().getTileObjects().stream()
				.mapToDouble(t -> t.getMeasurementList().get(entropy)).max().orElseThrow();
		for (int i = 0; i < added.size(); i++) {
			var review = added.get(i);
			assertTrue(review.isAnnotation() && ReviewObjects.isWaiting(review), describe(review));
			assertNull(ReviewObjects.className(review), "a review object is unclassified");
			assertTrue(review.getName().matches("Tessera review " + (i + 1) + ": (Red|Blue)\\?"), review.getName());
			assertTrue(review.getName().endsWith(ReviewObjects.predicted(review) + "?"));
			assertEquals(32, review.getROI().getBoundsWidth(), "the tile's outline");
			assertTrue(review.getParent().isRootObject());
		}
		assertEquals(highest, ReviewObjects.score(added.get(0)), 1e-6, "the most uncertain tile first");
		assertEquals(added, ReviewObjects.all(imageData));
		String script = lastScript(imageData);
		assertEquals("qupath.ext.tessera.Tessera.review().count(5).by('uncertainty').find(getCurrentImageData())", script);

		var replay = applied(model);
		TesseraScriptIT.run(script, replay, Map.of());
		assertEquals(added.stream().map(ReviewIT::describe).toList(),
				ReviewObjects.all(replay).stream().map(ReviewIT::describe).toList(), "the step picks the same tiles again");
	}

	@Test
	void rankingByLossPutsTheTileThatDisagreesMostWithItsAnnotationFirst(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = applied(model);
		var added = Tessera.review().count(3).by("loss").find(imageData);
		double worst = imageData.getHierarchy().getTileObjects().stream()
				.mapToDouble(t -> -Math.log(Math.max(1e-12, t.getMeasurementList().get(t.getParent().getPathClass().getName()))))
				.max().orElseThrow();
		assertEquals(3, added.size());
		assertEquals(worst, ReviewObjects.score(added.get(0)), 1e-5, "the loss against the annotation's class, worst first");
		assertTrue(lastScript(imageData).contains(".by('loss').find("));
	}

	@Test
	void classifyingChangesOnlyTheReviewObjectAndAnotherFindKeepsWhatWasClassified(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		var imageData = applied(model);
		var before = userAnnotations(imageData);
		var first = Tessera.review().count(4).find(imageData);
		var accepted = first.get(0);
		Tessera.review().classify(imageData, accepted.getName(), null);
		assertEquals(ReviewObjects.predicted(accepted), ReviewObjects.className(accepted), "accepting takes the prediction");
		assertTrue(lastScript(imageData).startsWith("qupath.ext.tessera.Tessera.review().classify(getCurrentImageData(), 'Tessera review 1: "));
		var corrected = first.get(1);
		String other = ReviewObjects.predicted(corrected).equals("Red") ? "Blue" : "Red";
		ReviewObjects.classify(imageData, corrected, other);
		assertEquals(other, ReviewObjects.className(corrected));
		var labelled = LabelledTiles.plan("red-blue.tif", imageData,
				new qupath.ext.tessera.bridge.TilePlanner.Spec(32, null, 1.0, 0, 0.5, null)).plan().tiles().stream()
				.filter(t -> t.x() == corrected.getROI().getBoundsX() && t.y() == corrected.getROI().getBoundsY()).toList();
		assertEquals(1, labelled.size());
		assertEquals(other, labelled.get(0).label(), "a correction inside a larger annotation labels its training tile");
		assertEquals(before, userAnnotations(imageData), "classifying changes only review objects");
		var again = assertThrows(InvalidInputException.class, () -> ReviewObjects.classify(imageData, corrected, "Red"));
		assertTrue(again.getMessage().contains("is not a review object waiting for a class"), again.getMessage());
		var missing = assertThrows(InvalidInputException.class,
				() -> Tessera.review().classify(imageData, "Tessera review 99: Red?", "Red"));
		assertTrue(missing.getMessage().contains("red-blue.tif: no review object named 'Tessera review 99: Red?'"),
				missing.getMessage());

		var second = Tessera.review().count(4).find(imageData);
		var reviews = ReviewObjects.all(imageData);
		assertEquals(6, reviews.size(), "the two waiting ones were replaced by four, the two classified ones kept");
		assertTrue(reviews.contains(accepted) && reviews.contains(corrected));
		assertTrue(reviews.stream().noneMatch(r -> r == first.get(2) || r == first.get(3)));
		for (var review : second)
			for (var done : List.of(accepted, corrected))
				assertTrue(review.getROI().getBoundsX() != done.getROI().getBoundsX()
						|| review.getROI().getBoundsY() != done.getROI().getBoundsY(), "a classified tile is not picked again");
	}

	@Test
	void badInputIsRefusedNamingItAndChangesNothing(@TempDir Path dir) {
		var zero = assertThrows(InvalidInputException.class, () -> Tessera.review().count(0));
		assertTrue(zero.getMessage().startsWith("count 0:"), zero.getMessage());
		var by = assertThrows(InvalidInputException.class, () -> Tessera.review().by("entropy"));
		assertTrue(by.getMessage().contains("ranking entropy: expected 'uncertainty' or 'loss'"), by.getMessage());
		var bare = RedBlueImage.imageData(RedBlueImage.image());
		var none = assertThrows(InvalidInputException.class, () -> Tessera.review().find(bare));
		assertTrue(none.getMessage().startsWith("red-blue.tif: no tiles of a Tessera model left to review"), none.getMessage());
		assertEquals(0, bare.getHistoryWorkflow().getSteps().size());
	}

	@Test
	void aProjectFindSpreadsThePicksOverItsImagesAndSavesEach(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		Map<String, ImageData<BufferedImage>> saved = new java.util.LinkedHashMap<>();
		List<ProjectImageEntry<BufferedImage>> entries = new ArrayList<>();
		for (String name : List.of("first", "second")) {
			var data = applied(model);
			entries.add(new ProjectImageEntry<>() {
				@Override
				public String getImageName() {
					return name;
				}

				@Override
				public ImageData<BufferedImage> readImageData() {
					return data;
				}

				@Override
				public void saveImageData(ImageData<BufferedImage> imageData) {
					saved.put(name, imageData);
				}
			});
		}
		var results = Tessera.review().count(6).findInProject(entries);
		assertEquals(List.of("first", "second"), results.stream().map(Tessera.ImageResult::image).toList());
		assertEquals(6, results.stream().mapToInt(Tessera.ImageResult::objects).sum());
		assertTrue(results.stream().allMatch(r -> r.objects() > 0 && r.error() == null), results.toString());
		assertEquals(List.of("first", "second"), List.copyOf(saved.keySet()));
		assertEquals(results.get(0).objects(), ReviewObjects.all(saved.get("first")).size());
		assertTrue(lastScript(saved.get("second")).endsWith(".findInProject(getProject().getImageList().findAll { it.getImageName() in ['first', 'second'] })"));
	}

	@Test
	void trainingFromAParentRecordsItsLineageAndTheStepNamesTheParent(@TempDir Path dir) throws IOException {
		String parent = TesseraScriptIT.quickModel(dir);
		var imageData = applied(parent);
		var review = Tessera.review().count(2).find(imageData);
		review.forEach(r -> ReviewObjects.classify(imageData, r, null));
		String child = dir.resolve("child.tessera").toString();
		Tessera.training().tileSize(32).downsample(1).epochs(1).folds(2).from(parent).train(imageData, child);
		JsonObject lineage = packageJson(child).getAsJsonObject("lineage");
		assertEquals("quick", lineage.get("parent").getAsString(), lineage.toString());
		String script = lastScript(imageData);
		assertTrue(script.contains(".from('" + parent + "').train(getCurrentImageData(), '" + child + "')"), script);
		var bad = assertThrows(InvalidInputException.class, () -> Tessera.training().tileSize(48).downsample(1).epochs(1)
				.folds(0).from(parent).train(RedBlueImage.imageData(RedBlueImage.image()), dir.resolve("bad.tessera").toString()));
		assertTrue(bad.getMessage().contains("48"), bad.getMessage());
		String missing = dir.resolve("missing.tessera").toString();
		var none = assertThrows(qupath.ext.tessera.bridge.TesseraException.class, () -> Tessera.training().tileSize(32)
				.downsample(1).epochs(1).folds(0).from(missing).train(RedBlueImage.imageData(RedBlueImage.image()),
						dir.resolve("orphan.tessera").toString()));
		assertTrue(none.getMessage().contains(missing), none.getMessage());
	}

	private static JsonObject packageJson(String model) throws IOException {
		try (var zip = new ZipFile(model)) {
			var entry = zip.getEntry("tessera.json");
			return JsonParser.parseString(new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8))
					.getAsJsonObject();
		}
	}
}
