package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;

import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.TileStore;
import qupath.ext.tessera.bridge.Trainer;
import qupath.lib.images.ImageData;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;

/**
 * A job that trains a model on classified annotations — a tile classifier ({@link Training}) or a
 * pixel classifier ({@link Segmentation}): of one image (validation grouped by annotation) or of
 * several images of a project (grouped by image, so no image is on both sides of a split). Plans
 * the labelled tiles of each image, fills one tile store, trains, and writes one {@code .tessera}
 * package, atomically; a run on the current image is recorded as a workflow step.
 * @param <J> the job's own type, returned by the builder methods
 */
public abstract class TrainingJob<J extends TrainingJob<J>> extends TilingJob<J> {
	int epochs = 20;
	int folds = 4;
	long seed;
	private final Kind kind;

	/**
	 * What a training job makes, in the words its messages, steps and scripts use.
	 * @param factory the {@link Tessera} factory that makes the job, e.g. {@code training}
	 * @param stepName the workflow step's name, e.g. {@code Tessera: train tile classifier}
	 * @param unit what the job trains on, plural, e.g. {@code tiles}
	 * @param tooSmall why an image gives none, e.g. {@code no classified area annotation large enough for one tile}
	 */
	record Kind(String factory, String stepName, String unit, String tooSmall) {}

	TrainingJob(Kind kind) {
		this.kind = kind;
	}

	/** @return this job training for at most {@code epochs} epochs */
	public J epochs(int epochs) {
		this.epochs = epochs;
		return self();
	}

	/** @return this job cross-validated over {@code folds} grouped folds (0: none) */
	public J folds(int folds) {
		this.folds = folds;
		return self();
	}

	/** @return this job with its random choices drawn from {@code seed} */
	public J seed(long seed) {
		this.seed = seed;
		return self();
	}

	/**
	 * Plans the image's classified annotations, trains and writes the model; records the step.
	 * @param imageData the image
	 * @param model where to write the {@code .tessera} package
	 * @return the model's metrics
	 */
	public JsonObject train(ImageData<BufferedImage> imageData, String model) {
		var tiles = LabelledTiles.plan(Tessera.imageName(imageData), imageData, spec());
		var metrics = train(List.of(tiles), model);
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep(kind.stepName(), stepParameters(model),
				script("train(getCurrentImageData(), " + Scripts.quoted(model) + ")")));
		return metrics;
	}

	/**
	 * Trains on the classified annotations of several images of a project, read from their saved
	 * data; validation is grouped by image (by annotation when there is one image).
	 * @param images the project's images to learn from
	 * @param model where to write the {@code .tessera} package (e.g. {@link ProjectModels#path})
	 * @return the model's metrics
	 */
	public JsonObject trainOnProject(List<ProjectImageEntry<BufferedImage>> images, String model) {
		List<LabelledTiles> all = new ArrayList<>();
		List<ImageData<BufferedImage>> opened = new ArrayList<>();
		try {
			for (var entry : images) {
				checkCancelled();
				report(all.size(), images.size(), "Planning " + kind.unit() + " of " + entry.getImageName());
				try {
					opened.add(entry.readImageData());
				} catch (IOException e) {
					throw new UncheckedIOException("cannot read the data of " + entry.getImageName(), e);
				}
				all.add(LabelledTiles.plan(entry.getImageName(), opened.getLast(), spec()));
			}
			return train(all, model);
		} finally {
			opened.forEach(Tessera::closeServer);
		}
	}

	/**
	 * The Groovy line that trains on the named images of the current project again.
	 * @param images the images' names
	 * @param model the package path
	 * @return the script
	 */
	public String projectScript(List<String> images, String model) {
		String names = String.join(", ", images.stream().map(Scripts::quoted).toList());
		return script("trainOnProject(getProject().getImageList().findAll { it.getImageName() in [" + names + "] }, "
				+ Scripts.quoted(model) + ")");
	}

	/**
	 * The workflow step of a {@link #trainOnProject} run, which replays it with {@link #projectScript}.
	 * @param images the images' names
	 * @param model the package path
	 * @return the step, to add to the current image's workflow
	 */
	public DefaultScriptableWorkflowStep projectStep(List<String> images, String model) {
		return new DefaultScriptableWorkflowStep(kind.stepName(), stepParameters(model), projectScript(images, model));
	}

	private JsonObject train(List<LabelledTiles> images, String model) {
		boolean byImage = images.size() > 1;
		List<String> classes = images.stream().flatMap(t -> t.labels().stream()).distinct().sorted().toList();
		List<String> names = images.stream().map(LabelledTiles::name).toList();
		if (classes.isEmpty())
			throw new InvalidInputException("no " + kind.unit() + ": " + String.join(", ", names) + " have " + kind.tooSmall());
		String name = Path.of(model).getFileName().toString().replaceFirst("\\.tessera$", "");
		try (var store = new TileStore(tileSize, classes)) {
			for (int i = 0; i < images.size(); i++) {
				checkCancelled();
				var tiles = images.get(i);
				report(i, images.size(), "Reading " + kind.unit() + " of " + tiles.name());
				add(store, tiles, classes, byImage ? i : -1);
			}
			var request = request(name, names, byImage ? "slide" : "polygon");
			return Trainer.train(store, request, folderFor(Path.of(model)), progress, cancel);
		}
	}

	/** @return {@code model}, once the folder it goes into exists */
	static Path folderFor(Path model) {
		try {
			Files.createDirectories(model.toAbsolutePath().getParent());
			return model;
		} catch (IOException e) {
			throw new UncheckedIOException("cannot create the folder of " + model, e);
		}
	}

	/** @return the label of the grouping of {@code tile}: {@code image}, or its annotation when {@code image} is negative */
	static long group(TilePlanner.Tile tile, int image) {
		return image >= 0 ? image : tile.polygonId().hashCode();
	}

	/** @return the Groovy line that runs {@code call} on this job with its options */
	private String script(String call) {
		return "qupath.ext.tessera.Tessera." + kind.factory() + "()" + tilingScript() + ".epochs(" + epochs + ").folds("
				+ folds + ").seed(" + seed + ")" + optionsScript() + "." + call;
	}

	/**
	 * Adds an image's labelled tiles to the store.
	 * @param classes the classes of the store, in order
	 * @param image the image's group, or -1 to group by annotation
	 */
	abstract void add(TileStore store, LabelledTiles tiles, List<String> classes, int image);

	/**
	 * @param name the model's name
	 * @param images the images trained on
	 * @param groupedBy how validation is grouped ({@code slide} or {@code polygon})
	 * @return what the core is asked to train
	 */
	abstract Trainer.Request request(String name, List<String> images, String groupedBy);

	/** @return the workflow step's parameters for a run writing {@code model} */
	abstract Map<String, String> stepParameters(String model);

	/** @return the Groovy builder calls that set this job's own options (empty when none) */
	abstract String optionsScript();
}
