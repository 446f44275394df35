package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
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
import qupath.lib.objects.PathObject;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;

/**
 * Applies a model inside annotations: one detection per tile below each annotation, classified
 * with its probabilities as measurements, optionally one merged annotation per class too. All of
 * an image's objects are added in one hierarchy change; nothing is added on failure or cancel.
 */
public final class Application extends ModelJob<Application> {

	private static final Logger logger = LoggerFactory.getLogger(Application.class);

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
	 * annotation, all in one hierarchy change; records the step.
	 * @param imageData the image
	 * @return the number of objects added
	 */
	public int apply(ImageData<BufferedImage> imageData) {
		try (var predictor = load()) {
			return apply(predictor, imageData, imageData.getHierarchy().getAnnotationObjects(), script());
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
				try {
					var imageData = entry.readImageData();
					int added = apply(predictor, imageData, imageData.getHierarchy().getAnnotationObjects(), script());
					entry.saveImageData(imageData);
					results.add(new Tessera.ImageResult(entry.getImageName(), added, null));
				} catch (CancelledException e) {
					throw e;
				} catch (IOException | RuntimeException e) {
					logger.warn("Tessera: {} failed: {}", entry.getImageName(), e.getMessage());
					results.add(new Tessera.ImageResult(entry.getImageName(), 0, String.valueOf(e.getMessage())));
				}
			}
		}
		return results;
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
			float[] probabilities = TileBatches.classify(predictor, server, plan, progress, cancel);
			var plane = parent.getROI().getImagePlane();
			var detections = TileObjects.detections(plan.tiles(), probabilities, predictor.classNames(),
					predictor.classColours(), plane);
			List<PathObject> children = new ArrayList<>(detections);
			if (mergeClasses)
				children.addAll(ClassRegions.merge(detections, plane));
			added.put(parent, children);
		}
		added.forEach(PathObject::addChildObjects);
		hierarchy.fireHierarchyChangedEvent(this);
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: apply model",
				Map.of("model", model), script));
		return added.values().stream().mapToInt(List::size).sum();
	}

	/** @return the Groovy line that runs this job again on the current image */
	String script() {
		return scriptStart("application") + ".mergeClasses(" + mergeClasses + ").apply(getCurrentImageData())";
	}
}
