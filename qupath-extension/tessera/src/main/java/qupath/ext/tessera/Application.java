package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import qupath.ext.tessera.bridge.CancelledException;
import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.TilePredictor;
import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.objects.PathObject;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;
import qupath.lib.regions.ImagePlane;
import qupath.lib.regions.RegionRequest;

/**
 * Applies a model inside annotations: one detection per tile below each annotation, classified
 * with its probabilities as measurements, optionally one merged annotation per class too. All of
 * an image's objects are added in one hierarchy change; nothing is added on failure or cancel.
 */
public final class Application extends ModelJob<Application> {

	private static final Logger logger = LoggerFactory.getLogger(Application.class);

	/** The longer side of the thumbnail tissue is detected on. */
	private static final int THUMBNAIL = 2048;

	private boolean mergeClasses;

	Application(String model) {
		super(model);
	}

	@Override
	Application self() {
		return this;
	}

	/** @return this job also adding, below each annotation, one annotation per predicted class: the union of its tiles */
	public Application mergeClasses(boolean merge) {
		this.mergeClasses = merge;
		return this;
	}

	/**
	 * Classifies the tiles inside every annotation of the image and adds them below their
	 * annotation; an image without annotations is tiled where its tissue is, and the tiles go at
	 * the root. All in one hierarchy change; records the step.
	 * @param imageData the image
	 * @return the number of objects added
	 */
	public int apply(ImageData<BufferedImage> imageData) {
		try (var predictor = load()) {
			return applyEverywhere(predictor, imageData);
		}
	}

	/**
	 * Classifies the tiles inside the given annotations only (e.g. the selected ones) and adds them
	 * below each, in one hierarchy change; records the step (naming the annotations by id).
	 * @param imageData the image
	 * @param annotations annotations of that image's hierarchy
	 * @return the number of objects added
	 */
	public int apply(ImageData<BufferedImage> imageData, Collection<PathObject> annotations) {
		String ids = String.join(", ", annotations.stream().map(a -> Scripts.quoted(a.getID().toString())).toList());
		String script = scriptStart("application") + ".mergeClasses(" + mergeClasses
				+ ").apply(getCurrentImageData(), getAnnotationObjects().findAll { it.getID().toString() in [" + ids + "] })";
		try (var predictor = load()) {
			return apply(predictor, imageData, annotations, script);
		}
	}

	/**
	 * Applies the model to each image of a project in turn: reads its data, applies, saves it.
	 * An image that fails is reported and the batch goes on; cancelling stops the batch (the
	 * image in progress is left unchanged, the ones done stay saved).
	 * @param images the project's images to process
	 * @return one result per image, in order
	 */
	public List<Tessera.ImageResult> applyToProject(List<ProjectImageEntry<BufferedImage>> images) {
		List<Tessera.ImageResult> results = new ArrayList<>();
		try (var predictor = load()) {
			for (var entry : images) {
				ImageData<BufferedImage> imageData = null;
				try {
					imageData = entry.readImageData();
					int added = applyEverywhere(predictor, imageData);
					entry.saveImageData(imageData);
					results.add(new Tessera.ImageResult(entry.getImageName(), added, null));
				} catch (CancelledException e) {
					throw e;
				} catch (IOException | RuntimeException e) {
					logger.warn("Tessera: {} failed: {}", entry.getImageName(), e.getMessage());
					results.add(new Tessera.ImageResult(entry.getImageName(), 0, String.valueOf(e.getMessage())));
				} finally {
					if (imageData != null)
						Tessera.closeServer(imageData);
				}
			}
		}
		return results;
	}

	/** Inside every annotation, or over the tissue when there is none. */
	private int applyEverywhere(TilePredictor predictor, ImageData<BufferedImage> imageData) {
		var annotations = imageData.getHierarchy().getAnnotationObjects();
		return Annotations.regions(annotations, "Region").isEmpty() ? applyToTissue(predictor, imageData)
				: apply(predictor, imageData, annotations, script());
	}

	/** Over the image's tissue (detected on a thumbnail), the objects at the root. */
	private int applyToTissue(TilePredictor predictor, ImageData<BufferedImage> imageData) {
		var server = imageData.getServer();
		double downsample = Math.max(1, Math.max(server.getWidth(), server.getHeight()) / (double) THUMBNAIL);
		BufferedImage thumbnail;
		try {
			thumbnail = server.readRegion(RegionRequest.createInstance(server.getPath(), downsample, 0, 0,
					server.getWidth(), server.getHeight()));
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read a thumbnail of " + server.getPath(), e);
		}
		var plan = TilePlanner.planTissue(server.getPath(), server.getWidth(), server.getHeight(),
				Tessera.pixelSizeMicrons(server), thumbnail, spec(predictor));
		if (plan.tiles().isEmpty())
			throw new InvalidInputException(server.getPath() + ": no tissue found for a tile, and no annotation to apply the model inside");
		List<PathObject> objects = classified(predictor, server, plan, ImagePlane.getDefaultPlane());
		imageData.getHierarchy().addObjects(objects);
		record(imageData, script());
		return objects.size();
	}

	/** The plan's tiles as classified detections, with the merged class annotations when asked for. */
	private List<PathObject> classified(TilePredictor predictor, ImageServer<BufferedImage> server, TilePlanner.Plan plan,
			ImagePlane plane) {
		float[] probabilities = TileBatches.classify(predictor, server, plan, progress, cancel);
		var detections = TileObjects.detections(plan.tiles(), probabilities, predictor.classNames(),
				predictor.classColours(), plane);
		List<PathObject> objects = new ArrayList<>(detections);
		if (mergeClasses)
			objects.addAll(ClassRegions.merge(detections, plane));
		return objects;
	}

	private void record(ImageData<BufferedImage> imageData, String script) {
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: apply model",
				Map.of("model", model), script));
	}

	private int apply(TilePredictor predictor, ImageData<BufferedImage> imageData, Collection<PathObject> annotations,
			String script) {
		var hierarchy = imageData.getHierarchy();
		List<PathObject> parents = new ArrayList<>(annotations);
		if (parents.isEmpty())
			throw new InvalidInputException(imageData.getServer().getPath() + ": no annotation to apply the model inside");
		var server = imageData.getServer();
		var spec = spec(predictor);
		Map<PathObject, List<PathObject>> added = new LinkedHashMap<>();
		for (PathObject parent : parents) {
			var regions = Annotations.regions(List.of(parent), "Region");
			if (regions.isEmpty())
				continue;
			var plan = TilePlanner.plan(server.getPath(), server.getWidth(), server.getHeight(),
					Tessera.pixelSizeMicrons(server), regions, spec);
			added.put(parent, classified(predictor, server, plan, parent.getROI().getImagePlane()));
		}
		added.forEach(PathObject::addChildObjects);
		hierarchy.fireHierarchyChangedEvent(this);
		record(imageData, script);
		return added.values().stream().mapToInt(List::size).sum();
	}

	/** @return the Groovy line that runs this job again on the current image */
	String script() {
		return scriptStart("application") + ".mergeClasses(" + mergeClasses + ").apply(getCurrentImageData())";
	}
}
