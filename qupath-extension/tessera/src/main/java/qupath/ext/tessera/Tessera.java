package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonObject;

import qupath.ext.tessera.bridge.CancellationToken;
import qupath.ext.tessera.bridge.CancelledException;
import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.ProgressListener;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.TilePredictor;
import qupath.ext.tessera.bridge.TileStore;
import qupath.ext.tessera.bridge.Trainer;
import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.objects.PathObject;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;

/**
 * Tessera for Groovy scripts (and the menu commands): train a tile classifier on an image's
 * annotations, apply a model inside annotations. Each successful call records a workflow step
 * whose script reproduces it, so QuPath's "Create script" replays it.
 * <pre>
 * import qupath.ext.tessera.Tessera
 * Tessera.training().tileSize(64).micronsPerPixel(0.5).epochs(20).folds(4)
 *        .train(getCurrentImageData(), "models/tumour.tessera")
 * Tessera.application("models/tumour.tessera").apply(getCurrentImageData())
 * </pre>
 */
public final class Tessera {

	private static final Logger logger = LoggerFactory.getLogger(Tessera.class);

	private Tessera() {}

	/** @return a training job with the defaults (64 px tiles at 0.5 µm/px, 20 epochs, 4 folds) */
	public static Training training() {
		return new Training();
	}

	/**
	 * @param model the model package (or bare ONNX with its config.json)
	 * @return a job applying it inside the image's annotations
	 */
	public static Application application(String model) {
		return new Application(model);
	}

	/** Options shared by both jobs: progress and cancellation. */
	abstract static class Job<J extends Job<J>> {
		ProgressListener progress;
		CancellationToken cancel;

		/** @return this job, reporting progress to {@code listener} */
		public J progress(ProgressListener listener) {
			this.progress = listener;
			return self();
		}

		/** @return this job, stopping (with nothing written) when {@code token} is cancelled */
		public J cancel(CancellationToken token) {
			this.cancel = token;
			return self();
		}

		abstract J self();
	}

	/** Trains a tile classifier on the classified annotations of one image. */
	public static final class Training extends Job<Training> {
		private int tileSize = 64;
		private Double micronsPerPixel = 0.5;
		private Double downsample;
		private double overlap;
		private double minCoverage = 0.5;
		private int epochs = 20;
		private int folds = 4;
		private long seed;

		Training() {}

		@Override
		Training self() {
			return this;
		}

		/** @return this job with tiles of {@code pixels} × {@code pixels} */
		public Training tileSize(int pixels) {
			this.tileSize = pixels;
			return this;
		}

		/** @return this job reading tiles at {@code mpp} µm per pixel */
		public Training micronsPerPixel(double mpp) {
			this.micronsPerPixel = mpp;
			this.downsample = null;
			return this;
		}

		/** @return this job reading tiles at {@code downsample} (for images without a pixel size) */
		public Training downsample(double downsample) {
			this.downsample = downsample;
			this.micronsPerPixel = null;
			return this;
		}

		/** @return this job with neighbouring tiles overlapping by {@code fraction} of their side */
		public Training overlap(double fraction) {
			this.overlap = fraction;
			return this;
		}

		/** @return this job keeping tiles covered at least {@code fraction} by their annotation */
		public Training minCoverage(double fraction) {
			this.minCoverage = fraction;
			return this;
		}

		/** @return this job training for at most {@code epochs} epochs */
		public Training epochs(int epochs) {
			this.epochs = epochs;
			return this;
		}

		/** @return this job cross-validated over {@code folds} folds grouped by annotation (0: none) */
		public Training folds(int folds) {
			this.folds = folds;
			return this;
		}

		/** @return this job with its random choices drawn from {@code seed} */
		public Training seed(long seed) {
			this.seed = seed;
			return this;
		}

		TilePlanner.Spec spec() {
			return new TilePlanner.Spec(tileSize, micronsPerPixel, downsample, overlap, minCoverage, null);
		}

		/**
		 * Tiles the image's classified annotations, trains and writes the model.
		 * @param imageData the image
		 * @param model where to write the {@code .tessera} package
		 * @return the model's metrics
		 */
		public JsonObject train(ImageData<BufferedImage> imageData, String model) {
			var server = imageData.getServer();
			var regions = Annotations.regions(imageData.getHierarchy().getAnnotationObjects(), null);
			double pixelSize = pixelSizeMicrons(server);
			var plan = TilePlanner.plan(server.getPath(), server.getWidth(), server.getHeight(), pixelSize, regions, spec());
			List<String> classes = plan.tiles().stream().map(TilePlanner.Tile::label).distinct().sorted().toList();
			int[] labels = plan.tiles().stream().mapToInt(t -> classes.indexOf(t.label())).toArray();
			long[] groups = plan.tiles().stream().mapToLong(t -> t.polygonId().hashCode()).toArray();
			var pixels = ServerTiles.read(server, plan.tiles(), plan.downsample(), tileSize);
			JsonObject metrics;
			try (var store = new TileStore(tileSize, classes)) {
				store.add(pixels, labels, groups);
				String name = Path.of(model).getFileName().toString().replaceFirst("\\.tessera$", "");
				var request = new Trainer.Request(name, spec(), epochs, folds, seed, List.of(server.getPath()), "polygon");
				metrics = Trainer.train(store, request, Path.of(model), progress, cancel);
			}
			imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: train tile classifier",
					Map.of("model", model), script(model)));
			return metrics;
		}

		/** @return the Groovy line that runs this job again */
		String script(String model) {
			String resolution = micronsPerPixel != null
					? ".micronsPerPixel(" + number(micronsPerPixel) + ")"
					: ".downsample(" + number(downsample) + ")";
			return "qupath.ext.tessera.Tessera.training().tileSize(" + tileSize + ")" + resolution
					+ ".overlap(" + number(overlap) + ").minCoverage(" + number(minCoverage) + ").epochs(" + epochs
					+ ").folds(" + folds + ").seed(" + seed + ").train(getCurrentImageData(), " + quoted(model) + ")";
		}
	}

	/** Applies a model inside annotations, adding one detection per tile below each annotation. */
	public static final class Application extends Job<Application> {
		private final String model;
		private double minCoverage = 0.5;
		private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

		Application(String model) {
			this.model = model;
		}

		@Override
		Application self() {
			return this;
		}

		/** @return this job classifying tiles covered at least {@code fraction} by their annotation */
		public Application minCoverage(double fraction) {
			this.minCoverage = fraction;
			return this;
		}

		/** @return this job running ONNX Runtime on {@code threads} threads */
		public Application threads(int threads) {
			this.threads = threads;
			return this;
		}

		/**
		 * Classifies the tiles inside every annotation of the image and adds them as detections below
		 * their annotation, all in one hierarchy change (nothing is added on failure or cancel).
		 * @param imageData the image
		 * @return the number of detections added
		 */
		public int apply(ImageData<BufferedImage> imageData) {
			try (var predictor = new TilePredictor(Path.of(model), threads)) {
				return apply(predictor, imageData);
			}
		}

		/**
		 * Applies the model to each image of a project in turn: reads its data, applies, saves it.
		 * An image that fails is reported and the batch goes on; cancelling stops the batch (the
		 * image in progress is left unchanged, the ones done stay saved).
		 * @param images the project's images to process
		 * @return one result per image, in order
		 */
		public List<ImageResult> applyToProject(List<ProjectImageEntry<BufferedImage>> images) {
			List<ImageResult> results = new ArrayList<>();
			try (var predictor = new TilePredictor(Path.of(model), threads)) {
				for (var entry : images) {
					try {
						var imageData = entry.readImageData();
						int added = apply(predictor, imageData);
						entry.saveImageData(imageData);
						results.add(new ImageResult(entry.getImageName(), added, null));
					} catch (CancelledException e) {
						throw e;
					} catch (IOException | RuntimeException e) {
						logger.warn("Tessera: {} failed: {}", entry.getImageName(), e.getMessage());
						results.add(new ImageResult(entry.getImageName(), 0, String.valueOf(e.getMessage())));
					}
				}
			}
			return results;
		}

		private int apply(TilePredictor predictor, ImageData<BufferedImage> imageData) {
			var hierarchy = imageData.getHierarchy();
			List<PathObject> parents = new ArrayList<>(hierarchy.getAnnotationObjects());
			if (parents.isEmpty())
				throw new InvalidInputException(imageData.getServer().getPath() + ": no annotation to apply the model inside");
			var server = imageData.getServer();
			double pixelSize = pixelSizeMicrons(server);
			var spec = new TilePlanner.Spec(predictor.tileSize(), predictor.micronsPerPixel(), predictor.downsample(), 0,
					minCoverage, null);
			Map<PathObject, List<PathObject>> added = new LinkedHashMap<>();
			for (PathObject parent : parents) {
				var regions = Annotations.regions(List.of(parent), "Region");
				if (regions.isEmpty())
					continue;
				var plan = TilePlanner.plan(server.getPath(), server.getWidth(), server.getHeight(), pixelSize, regions, spec);
				var pixels = ServerTiles.read(server, plan.tiles(), plan.downsample(), predictor.tileSize());
				float[] probabilities = predictor.classify(pixels, plan.tiles().size(), progress, cancel);
				added.put(parent, TileObjects.detections(plan.tiles(), probabilities, predictor.classNames(),
						predictor.classColours(), parent.getROI().getImagePlane()));
			}
			added.forEach(PathObject::addChildObjects);
			hierarchy.fireHierarchyChangedEvent(this);
			imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: apply model",
					Map.of("model", model), script()));
			return added.values().stream().mapToInt(List::size).sum();
		}

		/** @return the Groovy line that runs this job again */
		String script() {
			return "qupath.ext.tessera.Tessera.application(" + quoted(model) + ").minCoverage(" + number(minCoverage)
					+ ").apply(getCurrentImageData())";
		}
	}

	/**
	 * What applying a model did to one image of a batch.
	 * @param image the image's name
	 * @param objects detections added
	 * @param error why the image failed, or null when it succeeded
	 */
	public record ImageResult(String image, int objects, String error) {}

	/** The image's pixel size in µm, NaN when it has none (the core then asks for a downsample). */
	private static double pixelSizeMicrons(ImageServer<BufferedImage> server) {
		var calibration = server.getPixelCalibration();
		return calibration.hasPixelSizeMicrons() ? calibration.getAveragedPixelSizeMicrons() : Double.NaN;
	}

	private static String number(double value) {
		return String.format(Locale.ROOT, "%s", value);
	}

	private static String quoted(String text) {
		return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
	}
}
