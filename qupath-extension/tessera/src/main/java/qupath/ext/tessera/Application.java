package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.locationtech.jts.geom.Geometry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import qupath.ext.tessera.bridge.CancelledException;
import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.Segmenter;
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
 * Applies a model inside annotations: one classified tile object per tile below each annotation
 * (see {@link TileObjects}), optionally grouped into one annotation per predicted class; for a
 * segmentation package, one object per region of each class (see {@link SegmentedRegions}). Applying
 * again replaces Tessera's earlier results in the same region (unless asked to keep them), so
 * each region holds one set of results. All of an image's changes are made in one hierarchy
 * change; nothing changes on failure or cancel.
 * <p>
 * Before classifying an image, the model is prepared for it on a sample of the tiles it will
 * classify: its stain normalisation (if it has one) fitted to the image, the image's
 * out-of-distribution score computed (logged, and stored on the image as the measurement
 * {@value #OOD_MEASUREMENT}; a score beyond the threshold the training folds give is a warning and
 * a notification) and, when asked, its batch normalisation statistics re-estimated on the image
 * (AdaBN).
 */
public final class Application extends ModelJob<Application> {

	private static final Logger logger = LoggerFactory.getLogger(Application.class);

	/** The longer side of the thumbnail tissue is detected on. */
	private static final int THUMBNAIL = 2048;

	/** The measurement of the image (its root object) holding its out-of-distribution score. */
	public static final String OOD_MEASUREMENT = "Tessera: out-of-distribution score";

	/** The most tiles read to prepare the model for an image (the core's {@code shift::SAMPLE_TILES}). */
	private static final int SAMPLE_TILES = 256;

	/** Shows a warning to the user; set by the extension when QuPath runs with its user interface. */
	private static volatile Consumer<String> notifier = message -> {};

	/**
	 * The data of a project image open in QuPath's viewer, or null; set by the extension when
	 * QuPath runs with its user interface.
	 */
	private static volatile Function<ProjectImageEntry<BufferedImage>, ImageData<BufferedImage>> openImages = entry -> null;

	private boolean mergeClasses;
	private boolean keepPrevious;
	private boolean adaptNormalisation;
	private boolean detections;
	private double minArea = SEGMENT_DEFAULT_AREA;
	private double minHole = SEGMENT_DEFAULT_AREA;
	private String heatmaps;

	/** Segmentation: the smallest region kept and hole left open by default, in µm². */
	private static final double SEGMENT_DEFAULT_AREA = 16;

	Application(String model) {
		super(model);
		// The core's (and `tessera apply`'s) default: a tile is classified when its region or
		// tissue covers a quarter of it.
		minCoverage = 0.25;
	}

	@Override
	Application self() {
		return this;
	}

	/**
	 * Lets project batches find images open in the viewer, so that they are applied to in memory
	 * (and saved) rather than read from disk: a later save of the open image then keeps the
	 * results instead of overwriting them.
	 * @param lookup the open data of a project entry, or null when it is not open
	 */
	static void useOpenImages(Function<ProjectImageEntry<BufferedImage>, ImageData<BufferedImage>> lookup) {
		openImages = lookup;
	}

	/**
	 * @param entry an image of the project
	 * @return its data as open in QuPath's viewer, or null when it is not open there
	 */
	static ImageData<BufferedImage> openImage(ProjectImageEntry<BufferedImage> entry) {
		return openImages.apply(entry);
	}

	/**
	 * Lets out-of-distribution warnings reach the user as notifications, not only the log.
	 * @param show shows one warning
	 */
	static void useNotifications(Consumer<String> show) {
		notifier = show;
	}

	/**
	 * @param adapt true to re-estimate the model's batch normalisation statistics on each image's
	 *        tiles before classifying them (AdaBN: for images from another scanner or stain)
	 * @return this job
	 */
	public Application adaptNormalisation(boolean adapt) {
		this.adaptNormalisation = adapt;
		return this;
	}

	/** @return this job also grouping the tiles, below each region, into one annotation per predicted class */
	public Application mergeClasses(boolean merge) {
		this.mergeClasses = merge;
		return this;
	}

	/**
	 * Segmentation packages: what each region becomes.
	 * @param type {@code annotation} (the default; named {@code Tessera: <class>}) or {@code detection}
	 * @return this job
	 * @throws InvalidInputException for any other type
	 */
	public Application objectType(String type) {
		if (!type.equals("annotation") && !type.equals("detection"))
			throw new InvalidInputException("object type " + Scripts.quoted(type) + ": use annotation or detection");
		this.detections = type.equals("detection");
		return this;
	}

	/**
	 * @param microns2 segmentation packages: regions smaller than this many µm² are dropped (default 16)
	 * @return this job
	 */
	public Application minArea(double microns2) {
		this.minArea = microns2;
		return this;
	}

	/**
	 * @param microns2 segmentation packages: holes smaller than this many µm² are filled (default 16)
	 * @return this job
	 */
	public Application minHole(double microns2) {
		this.minHole = microns2;
		return this;
	}

	/**
	 * Segmentation packages: also writes each class's probability map as {@code <class>.png} into
	 * {@code folder} (created when missing), as {@code tessera apply --heatmap} does: 8-bit grey +
	 * alpha, grey the class's probability (255 = 1) where the model ran, transparent elsewhere; at
	 * most 2048 px a side. Applied inside several annotations, each annotation's maps go into a
	 * subfolder named by its id ({@code PathObject.getID()}). The files appear only once the whole
	 * image is done (each replacing a same-named file), never in part; a tile classifier writes its
	 * per-class probabilities as tile measurements instead (Measure › Show measurement maps).
	 * @param folder the folder, or null for no heatmaps (the default)
	 * @return this job
	 */
	public Application heatmaps(String folder) {
		this.heatmaps = folder;
		return this;
	}

	/**
	 * @param keep true to add to Tessera's earlier results in a region instead of replacing them
	 * @return this job
	 */
	public Application keepPrevious(boolean keep) {
		this.keepPrevious = keep;
		return this;
	}

	/**
	 * Classifies the tiles inside every annotation of the image (review objects aside) and adds
	 * them below their annotation; an image without annotations is tiled where its tissue is, and
	 * the tiles go at the root. All in one hierarchy change; records the step.
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
		String script = scriptStart() + ".apply(getCurrentImageData(), getAnnotationObjects().findAll { it.getID().toString() in ["
				+ ids + "] })";
		try (var predictor = load()) {
			return apply(predictor, imageData, annotations, script);
		}
	}

	/**
	 * Applies the model to each image of a project in turn: reads its data, applies, saves it. An
	 * image open in QuPath's viewer is applied to as it is open (its unsaved changes included) and
	 * then saved. An image that fails is reported and the batch goes on; cancelling stops the
	 * batch (the image in progress is left unchanged, the ones done stay saved).
	 * @param images the project's images to process
	 * @return one result per image, in order
	 */
	public List<Tessera.ImageResult> applyToProject(List<ProjectImageEntry<BufferedImage>> images) {
		if (heatmaps != null)
			throw new InvalidInputException("heatmaps(" + Scripts.quoted(heatmaps)
					+ ") writes one image's maps: apply to each image with its own folder instead of to the project");
		List<Tessera.ImageResult> results = new ArrayList<>();
		try (var predictor = load()) {
			for (var entry : images) {
				ImageData<BufferedImage> open = openImage(entry);
				ImageData<BufferedImage> imageData = open;
				try {
					if (imageData == null)
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
					if (imageData != null && imageData != open)
						Tessera.closeServer(imageData);
				}
			}
		}
		return results;
	}

	/**
	 * Inside every annotation but the review objects (which lie over tiles already classified), or
	 * over the tissue when there is none.
	 */
	private int applyEverywhere(TilePredictor predictor, ImageData<BufferedImage> imageData) {
		List<PathObject> annotations = imageData.getHierarchy().getAnnotationObjects().stream()
				.filter(a -> !ReviewObjects.isReviewObject(a)).toList();
		return Annotations.regions(annotations, "Region").isEmpty() ? applyToTissue(predictor, imageData)
				: apply(predictor, imageData, annotations, script());
	}

	/**
	 * Over the image's tissue, the objects at the root. A file the core reads itself is planned
	 * exactly as {@code tessera apply} plans it; otherwise tissue is detected on a thumbnail read
	 * through QuPath.
	 */
	private int applyToTissue(TilePredictor predictor, ImageData<BufferedImage> imageData) {
		String name = Tessera.imageName(imageData);
		try (var pixels = ImagePixels.of(imageData.getServer())) {
			var plan = pixels.slide().map(slide -> slide.planTissue(name, spec(predictor)))
					.orElseGet(() -> planTissue(imageData.getServer(), name, spec(predictor)));
			if (plan.tiles().isEmpty())
				throw new InvalidInputException(name + ": no tissue found for a tile, and no annotation to apply the model inside");
			var root = imageData.getHierarchy().getRootObject();
			var done = writingHeatmaps(predictor, folder -> {
				var found = prepare(predictor, pixels, plan.tiles(), plan.downsample(), true, imageData);
				return new Classified(Map.of(root, classified(predictor, pixels, plan, ImagePlane.getDefaultPlane(), null, folder)),
						found);
			});
			return place(imageData, done.results(), done.found(), script());
		}
	}

	/**
	 * What classifying an image gave.
	 * @param results each parent's new objects
	 * @param found what preparing the model for the image found, or null when it classified nothing
	 */
	private record Classified(Map<PathObject, List<PathObject>> results, TilePredictor.SlideShift found) {}

	/**
	 * Runs {@code work} with the folder its heatmaps go into: null when none are asked for; else a
	 * hidden folder inside the one asked for, whose maps are moved into place once {@code work}
	 * succeeds (see {@link OutputFiles#fillFolder}).
	 * @throws InvalidInputException if heatmaps are asked of a tile classifier
	 */
	private <T> T writingHeatmaps(TilePredictor predictor, Function<Path, T> work) {
		if (heatmaps == null)
			return work.apply(null);
		if (!Segmenter.segments(predictor))
			throw new InvalidInputException("heatmaps(" + Scripts.quoted(heatmaps) + "): " + Path.of(model).getFileName()
					+ " is a tile classifier, which writes each class's probability as a tile measurement "
					+ "(Measure › Show measurement maps); heatmaps are written for segmentation models");
		List<T> result = new ArrayList<>(1);
		OutputFiles.fillFolder(Path.of(heatmaps), folder -> result.add(work.apply(folder)));
		return result.get(0);
	}

	/** Plans the tiles over the tissue of a thumbnail QuPath reads. */
	private static TilePlanner.Plan planTissue(ImageServer<BufferedImage> server, String name, TilePlanner.Spec spec) {
		double downsample = Math.max(1, Math.max(server.getWidth(), server.getHeight()) / (double) THUMBNAIL);
		BufferedImage thumbnail;
		try {
			thumbnail = server.readRegion(RegionRequest.createInstance(server.getPath(), downsample, 0, 0,
					server.getWidth(), server.getHeight()));
		} catch (IOException e) {
			throw new UncheckedIOException("cannot read a thumbnail of " + name, e);
		}
		return TilePlanner.planTissue(name, server.getWidth(), server.getHeight(), Tessera.pixelSizeMicrons(server),
				thumbnail, spec);
	}

	/**
	 * Prepares the model for the image on up to {@link #SAMPLE_TILES} of {@code tiles}, evenly
	 * spread (over the whole tissue when {@code overTissue}): logs what was found and warns (log and
	 * notification) when the image's regions lie beyond what the training folds showed.
	 * @return what was found
	 */
	private TilePredictor.SlideShift prepare(TilePredictor predictor, ImagePixels pixels, List<TilePlanner.Tile> tiles, double downsample,
			boolean overTissue, ImageData<BufferedImage> imageData) {
		int step = Math.max(1, (tiles.size() + SAMPLE_TILES - 1) / SAMPLE_TILES);
		List<TilePlanner.Tile> sample = new ArrayList<>();
		for (int i = 0; i < tiles.size(); i += step)
			sample.add(tiles.get(i));
		var found = predictor.prepare(pixels.read(sample, downsample, predictor.tileSize()), sample.size(),
				adaptNormalisation, overTissue, progress, cancel);
		String name = Tessera.imageName(imageData);
		for (String line : found.lines())
			logger.info("Tessera: {}: {}", name, line);
		found.warning().ifPresent(warning -> {
			logger.warn("Tessera: {}: {}", name, warning);
			notifier.accept(name + ": " + warning);
		});
		return found;
	}

	/**
	 * The plan's tiles as classified tile objects, grouped into class regions when asked for; for
	 * a segmentation package, its regions cut to {@code within} (null: not cut), and its heatmaps
	 * written into {@code heatmapFolder} (null: none).
	 */
	private List<PathObject> classified(TilePredictor predictor, ImagePixels pixels, TilePlanner.Plan plan, ImagePlane plane,
			Geometry within, Path heatmapFolder) {
		if (Segmenter.segments(predictor)) {
			var output = new SegmentedRegions.Output(detections, new Segmenter.Tracing(0.5, minArea, minHole, 2),
					pixels.pixelSizeMicrons(), Path.of(model).getFileName().toString(), heatmapFolder);
			return SegmentedRegions.objects(predictor, pixels, plan, plane, within, output, progress, cancel);
		}
		float[] probabilities = TileBatches.classify(predictor, pixels, plan, progress, cancel);
		var tiles = TileObjects.tiles(plan.tiles(), probabilities, predictor.classNames(), predictor.classColours(), plane,
				pixels.width(), pixels.height(), Path.of(model).getFileName().toString());
		return mergeClasses ? ClassRegions.merge(tiles, plane) : tiles;
	}

	private int apply(TilePredictor predictor, ImageData<BufferedImage> imageData, Collection<PathObject> annotations,
			String script) {
		List<PathObject> parents = new ArrayList<>(annotations);
		if (parents.isEmpty())
			throw new InvalidInputException(Tessera.imageName(imageData) + ": no annotation to apply the model inside");
		var server = imageData.getServer();
		var spec = spec(predictor);
		Map<PathObject, TilePlanner.Plan> plans = new LinkedHashMap<>();
		for (PathObject parent : parents) {
			var regions = Annotations.regions(List.of(parent), "Region");
			if (!regions.isEmpty())
				plans.put(parent, TilePlanner.plan(Tessera.imageName(imageData), server.getWidth(), server.getHeight(),
						Tessera.pixelSizeMicrons(server), regions, spec));
		}
		var done = writingHeatmaps(predictor, folder -> {
			Map<PathObject, List<PathObject>> results = new LinkedHashMap<>();
			TilePredictor.SlideShift found = null;
			try (var pixels = ImagePixels.of(server)) {
				var tiles = plans.values().stream().flatMap(plan -> plan.tiles().stream()).toList();
				if (!tiles.isEmpty())
					found = prepare(predictor, pixels, tiles, plans.values().iterator().next().downsample(), false, imageData);
				for (var entry : plans.entrySet()) {
					var roi = entry.getKey().getROI();
					Path maps = folder == null || plans.size() == 1 ? folder : folder.resolve(entry.getKey().getID().toString());
					results.put(entry.getKey(), classified(predictor, pixels, entry.getValue(), roi.getImagePlane(),
							roi.getGeometry(), maps));
				}
			}
			return new Classified(results, found);
		});
		return place(imageData, done.results(), done.found(), script);
	}

	/**
	 * Puts each parent's new results below it, removing Tessera's earlier results there unless
	 * they are to be kept, and the image's out-of-distribution score on its root object (an
	 * earlier score removed when the model gives none), in one hierarchy change; records the step.
	 * @param found what preparing the model for the image found, or null when it classified nothing
	 * @return the number of objects added (tiles and class regions)
	 */
	private int place(ImageData<BufferedImage> imageData, Map<PathObject, List<PathObject>> results,
			TilePredictor.SlideShift found, String script) {
		if (found != null) {
			try (var measurements = imageData.getHierarchy().getRootObject().getMeasurementList()) {
				if (found.score().isPresent())
					measurements.put(OOD_MEASUREMENT, found.score().getAsDouble());
				else
					measurements.remove(OOD_MEASUREMENT);
			}
		}
		int added = 0;
		for (var entry : results.entrySet()) {
			PathObject parent = entry.getKey();
			if (!keepPrevious)
				parent.removeChildObjects(parent.getChildObjects().stream().filter(TileObjects::isResult).toList());
			parent.addChildObjects(entry.getValue());
			for (PathObject object : entry.getValue())
				added += 1 + object.getChildObjects().size();
		}
		imageData.getHierarchy().fireHierarchyChangedEvent(this);
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: apply model",
				heatmaps == null ? Map.of("model", model) : Map.of("model", model, "heatmaps", heatmaps), script));
		return added;
	}

	/** @return the Groovy start of this job with its options */
	private String scriptStart() {
		return scriptStart("application") + ".mergeClasses(" + mergeClasses + ")"
				+ (keepPrevious ? ".keepPrevious(true)" : "") + (adaptNormalisation ? ".adaptNormalisation(true)" : "")
				+ (detections ? ".objectType('detection')" : "")
				+ (minArea != SEGMENT_DEFAULT_AREA ? ".minArea(" + Scripts.number(minArea) + ")" : "")
				+ (minHole != SEGMENT_DEFAULT_AREA ? ".minHole(" + Scripts.number(minHole) + ")" : "")
				+ (heatmaps == null ? "" : ".heatmaps(" + Scripts.quoted(heatmaps) + ")");
	}

	/** @return the Groovy line that runs this job again on the current image */
	String script() {
		return scriptStart() + ".apply(getCurrentImageData())";
	}
}
