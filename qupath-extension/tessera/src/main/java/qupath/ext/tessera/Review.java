package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.slf4j.LoggerFactory;

import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.ReviewPicker;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.Uncertainty;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;
import qupath.lib.roi.ROIs;

/**
 * Finds the applied tiles a user should look at next, in one image or over several images of a
 * project, and adds them as review objects (see {@link ReviewObjects}): the {@code count} tiles
 * of a Tessera model ranked by how unsure the model is ({@code uncertainty}) or by how far it
 * disagrees with the class of the user's annotation holding them ({@code loss}), spread out over
 * the images by the native core, as {@code tessera review} picks them.
 *
 * <p>The review objects of an earlier find that still wait for a class are replaced; tiles under a
 * review object already classified are not picked again. An image's changes are made in one
 * hierarchy change, after every pick is known; nothing the user drew is changed.
 */
public final class Review extends TesseraJob<Review> {
	private int count = 20;
	private String ranking = "uncertainty";

	Review() {}

	@Override
	Review self() {
		return this;
	}

	/**
	 * @param count how many tiles to pick (over all the images of a project find)
	 * @return this job
	 * @throws InvalidInputException if {@code count} is below 1
	 */
	public Review count(int count) {
		if (count < 1)
			throw new InvalidInputException("count " + count + ": the number of tiles to review must be at least 1");
		this.count = count;
		return this;
	}

	/**
	 * @param ranking {@code uncertainty} (where the model hesitates) or {@code loss} (where it
	 *        disagrees with the class of the annotation holding the tile)
	 * @return this job
	 * @throws InvalidInputException for any other ranking
	 */
	public Review by(String ranking) {
		if (!"uncertainty".equals(ranking) && !"loss".equals(ranking))
			throw new InvalidInputException("ranking " + ranking + ": expected 'uncertainty' or 'loss'");
		this.ranking = ranking;
		return this;
	}

	/**
	 * Picks the image's tiles to review and adds them as review objects, in one hierarchy change;
	 * records the step.
	 * @param imageData the image, with tiles a Tessera model was applied to
	 * @return the review objects added, in pick order
	 * @throws InvalidInputException if the image has no Tessera tiles, or (ranking by loss) no
	 *         classified annotation holding one
	 */
	public List<PathObject> find(ImageData<BufferedImage> imageData) {
		var tiles = Tiles.of(imageData);
		if (tiles.objects().isEmpty())
			throw new InvalidInputException(Tessera.imageName(imageData)
					+ ": no tiles of a Tessera model left to review (none, or all under classified review objects); apply a model first");
		var picks = pick(List.of(tiles));
		return place(imageData, tiles, picks.get(0), scriptStart() + ".find(getCurrentImageData())");
	}

	/**
	 * Picks the tiles to review over several images of a project together (the {@code count}
	 * best, spread over all of them), then adds each image's review objects and saves it. An
	 * image open in QuPath's viewer is changed as it is open. Images without Tessera tiles are
	 * left as they are. Nothing changes anywhere when the pick fails or is cancelled; an image
	 * that then fails to save is reported and the others go on.
	 * @param images the project's images
	 * @return one result per image with Tessera tiles: the review objects added, or why it failed
	 */
	public List<Tessera.ImageResult> findInProject(List<ProjectImageEntry<BufferedImage>> images) {
		List<ProjectImageEntry<BufferedImage>> entries = new ArrayList<>();
		List<ImageData<BufferedImage>> data = new ArrayList<>();
		List<ImageData<BufferedImage>> read = new ArrayList<>();
		List<Tiles> tiles = new ArrayList<>();
		try {
			for (var entry : images) {
				checkCancelled();
				report(entries.size(), images.size(), "Reading the tiles of " + entry.getImageName());
				var imageData = Application.openImage(entry);
				if (imageData == null) {
					imageData = readImageData(entry);
					read.add(imageData);
				}
				var found = Tiles.of(imageData);
				if (found.objects().isEmpty())
					continue;
				entries.add(entry);
				data.add(imageData);
				tiles.add(found);
			}
			if (tiles.isEmpty())
				throw new InvalidInputException("none of the " + images.size()
						+ " images has tiles of a Tessera model to review; apply a model first");
			var picks = pick(tiles);
			String names = String.join(", ", entries.stream().map(e -> Scripts.quoted(e.getImageName())).toList());
			String script = scriptStart() + ".findInProject(getProject().getImageList().findAll { it.getImageName() in ["
					+ names + "] })";
			List<Tessera.ImageResult> results = new ArrayList<>();
			for (int i = 0; i < entries.size(); i++) {
				var entry = entries.get(i);
				try {
					int added = place(data.get(i), tiles.get(i), picks.get(i), script).size();
					entry.saveImageData(data.get(i));
					results.add(new Tessera.ImageResult(entry.getImageName(), added, null));
				} catch (IOException | RuntimeException e) {
					LoggerFactory.getLogger(Review.class).warn("Tessera: {} failed: {}", entry.getImageName(), e.getMessage());
					results.add(new Tessera.ImageResult(entry.getImageName(), 0, String.valueOf(e.getMessage())));
				}
			}
			return results;
		} finally {
			read.forEach(Tessera::closeServer);
		}
	}

	/**
	 * Gives the waiting review object of that name a class (see {@link ReviewObjects#classify});
	 * this is the step the review table records.
	 * @param imageData the image
	 * @param name the review object's name, {@code Tessera review n: Class?}
	 * @param className the class to give it, or null to accept its predicted class
	 * @return the review object, now a training annotation
	 */
	public PathObject classify(ImageData<BufferedImage> imageData, String name, String className) {
		var object = ReviewObjects.waiting(imageData, name);
		ReviewObjects.classify(imageData, object, className);
		return object;
	}

	/** @return the Groovy start of this job with its options */
	String scriptStart() {
		return "qupath.ext.tessera.Tessera.review().count(" + count + ").by(" + Scripts.quoted(ranking) + ")";
	}

	private static ImageData<BufferedImage> readImageData(ProjectImageEntry<BufferedImage> entry) {
		try {
			return entry.readImageData();
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read the data of " + entry.getImageName(), e);
		}
	}

	/** Each image's picks, in the order of {@code images}. */
	private List<List<ReviewPicker.Pick>> pick(List<Tiles> images) {
		checkCancelled();
		report(0, 1, "Ranking the tiles by " + ranking);
		var classes = new TreeSet<String>();
		images.forEach(t -> classes.addAll(t.classes()));
		List<String> columns = List.copyOf(classes);
		var picks = ReviewPicker.pick(ranking, count, columns, images.stream().map(t -> t.arrays(columns)).toList());
		List<List<ReviewPicker.Pick>> perImage = new ArrayList<>();
		images.forEach(t -> perImage.add(new ArrayList<>()));
		picks.forEach(p -> perImage.get(p.image()).add(p));
		return perImage;
	}

	/**
	 * Replaces the image's waiting review objects by the picked ones, in one hierarchy change, and
	 * records the step.
	 */
	private List<PathObject> place(ImageData<BufferedImage> imageData, Tiles tiles, List<ReviewPicker.Pick> picks,
			String script) {
		String scoreName = Uncertainty.names().reviewScore();
		List<PathObject> added = new ArrayList<>();
		for (var pick : picks) {
			PathObject tile = tiles.objects().get(pick.tile());
			var roi = tile.getROI();
			var object = PathObjects.createAnnotationObject(ROIs.createRectangleROI(roi.getBoundsX(), roi.getBoundsY(),
					roi.getBoundsWidth(), roi.getBoundsHeight(), roi.getImagePlane()), null);
			object.setName(pick.name());
			object.getMetadata().put(ReviewObjects.PREDICTED_KEY, String.valueOf(ReviewObjects.className(tile)));
			try (var measurements = object.getMeasurementList()) {
				measurements.put(scoreName, pick.score());
			}
			added.add(object);
		}
		var hierarchy = imageData.getHierarchy();
		for (PathObject waiting : tiles.waiting()) {
			PathObject parent = waiting.getParent();
			parent.addChildObjects(waiting.getChildObjects());
			parent.removeChildObjects(List.of(waiting));
		}
		hierarchy.getRootObject().addChildObjects(added);
		hierarchy.fireHierarchyChangedEvent(this);
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: find tiles to review",
				Map.of("count", count, "by", ranking), script));
		return added;
	}

	/**
	 * An image's Tessera tiles that may be picked (not under a review object already classified),
	 * the user's classified annotations, and the waiting review objects a find replaces.
	 */
	private record Tiles(String image, List<PathObject> objects, List<TilePlanner.Region> annotations,
			List<PathObject> waiting) {

		static Tiles of(ImageData<BufferedImage> imageData) {
			var hierarchy = imageData.getHierarchy();
			List<PathObject> reviews = ReviewObjects.all(imageData);
			List<PathObject> reviewed = reviews.stream().filter(o -> !ReviewObjects.isWaiting(o)).toList();
			List<PathObject> objects = hierarchy.getTileObjects().stream().filter(TileObjects::isResult)
					.filter(t -> reviewed.stream().noneMatch(r -> covers(r, t))).toList();
			var annotations = Annotations.regions(hierarchy.getAnnotationObjects(), null).stream()
					.filter(r -> r.className() != null).toList();
			return new Tiles(Tessera.imageName(imageData), objects, annotations,
					reviews.stream().filter(ReviewObjects::isWaiting).toList());
		}

		/** Whether the tile's centre lies in the review object. */
		private static boolean covers(PathObject review, PathObject tile) {
			var roi = tile.getROI();
			return review.getROI().contains(roi.getBoundsX() + roi.getBoundsWidth() / 2,
					roi.getBoundsY() + roi.getBoundsHeight() / 2);
		}

		/** @return the class names the tiles' predictions and the annotations use */
		List<String> classes() {
			var classes = new TreeSet<String>();
			objects.forEach(t -> {
				String name = ReviewObjects.className(t);
				if (name != null)
					classes.add(name);
			});
			annotations.forEach(a -> classes.add(a.className()));
			return List.copyOf(classes);
		}

		/** @return the tiles as the core reads them, per-class values following {@code classes} */
		ReviewPicker.Image arrays(List<String> classes) {
			var names = Uncertainty.names();
			int n = objects.size();
			int k = classes.size();
			double[] boxes = new double[4 * n];
			double[] entropy = new double[n];
			int[] predicted = new int[n];
			double[] probabilities = new double[k * n];
			for (int t = 0; t < n; t++) {
				PathObject tile = objects.get(t);
				var roi = tile.getROI();
				boxes[4 * t] = roi.getBoundsX();
				boxes[4 * t + 1] = roi.getBoundsY();
				boxes[4 * t + 2] = roi.getBoundsWidth();
				boxes[4 * t + 3] = roi.getBoundsHeight();
				var measurements = tile.getMeasurementList();
				entropy[t] = measurements.get(names.entropy());
				String name = ReviewObjects.className(tile);
				predicted[t] = name == null ? -1 : classes.indexOf(name);
				for (int c = 0; c < k; c++)
					probabilities[t * k + c] = measurements.get(classes.get(c));
			}
			return new ReviewPicker.Image(image, boxes, entropy, predicted, probabilities, annotations);
		}
	}
}
