package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;

import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.TileStore;
import qupath.ext.tessera.bridge.Trainer;
import qupath.lib.images.ImageData;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;

/**
 * Trains a tile classifier on classified annotations: of one image (validation grouped by
 * annotation) or of several images of a project (grouped by image, so no image is on both sides
 * of a split). Writes one {@code .tessera} package, atomically.
 */
public final class Training extends TilingJob<Training> {
	private int epochs = 20;
	private int folds = 4;
	private long seed;
	private Trainer.Backbone backbone;
	private String parent;

	Training() {}

	@Override
	Training self() {
		return this;
	}

	/** @return this job training for at most {@code epochs} epochs */
	public Training epochs(int epochs) {
		this.epochs = epochs;
		return this;
	}

	/** @return this job cross-validated over {@code folds} grouped folds (0: none) */
	public Training folds(int folds) {
		this.folds = folds;
		return this;
	}

	/** @return this job with its random choices drawn from {@code seed} */
	public Training seed(long seed) {
		this.seed = seed;
		return this;
	}

	/**
	 * Trains a head on a fixed ONNX backbone's features instead of the CNN from scratch.
	 * @param onnx the backbone: {@code [n, 3, tile, tile]} images (normalised as {@code v / 127.5 − 1}) to {@code [n, features]}
	 * @param headHidden width of the head's hidden layer (0 for a linear head)
	 * @return this job
	 */
	public Training backbone(String onnx, int headHidden) {
		this.backbone = onnx == null ? null : new Trainer.Backbone(Path.of(onnx), headHidden > 0 ? headHidden : null);
		return this;
	}

	/**
	 * Fine-tunes a model instead of training from scratch: training starts from its weights (it
	 * must have the same classes, tile size, resolution and network), and the new package records
	 * its lineage (the parent, what was added, both models' macro-F1 on the same folds).
	 * @param parentModel the parent {@code .tessera} package, or null to train from scratch
	 * @return this job
	 */
	public Training from(String parentModel) {
		this.parent = parentModel;
		return this;
	}

	/**
	 * Tiles the image's classified annotations, trains and writes the model; records the step.
	 * @param imageData the image
	 * @param model where to write the {@code .tessera} package
	 * @return the model's metrics
	 */
	public JsonObject train(ImageData<BufferedImage> imageData, String model) {
		var tiles = LabelledTiles.plan(Tessera.imageName(imageData), imageData, spec());
		var metrics = train(List.of(tiles), model);
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: train tile classifier",
				parent == null ? Map.of("model", model) : Map.of("model", model, "from", parent),
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
				report(all.size(), images.size(), "Planning tiles of " + entry.getImageName());
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

	private JsonObject train(List<LabelledTiles> images, String model) {
		boolean byImage = images.size() > 1;
		List<String> classes = images.stream().flatMap(t -> t.labels().stream()).distinct().sorted().toList();
		if (classes.isEmpty())
			throw new InvalidInputException("no tiles: "
					+ String.join(", ", images.stream().map(LabelledTiles::name).toList())
					+ " have no classified area annotation large enough for one tile");
		List<String> names = images.stream().map(LabelledTiles::name).toList();
		String name = Path.of(model).getFileName().toString().replaceFirst("\\.tessera$", "");
		try (var store = new TileStore(tileSize, classes)) {
			for (int i = 0; i < images.size(); i++) {
				checkCancelled();
				var tiles = images.get(i);
				report(i, images.size(), "Reading tiles of " + tiles.name());
				add(store, tiles, classes, byImage ? i : -1);
			}
			var request = new Trainer.Request(name, spec(), epochs, folds, seed, names, byImage ? "slide" : "polygon",
					backbone, parent == null ? null : Path.of(parent));
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

	/** Adds an image's tiles, grouped by {@code image} (or by annotation when it is negative). */
	private static void add(TileStore store, LabelledTiles tiles, List<String> classes, int image) {
		var planned = tiles.plan().tiles();
		if (planned.isEmpty())
			return;
		int[] labels = planned.stream().mapToInt(t -> classes.indexOf(t.label())).toArray();
		long[] groups = planned.stream().mapToLong(t -> image >= 0 ? image : t.polygonId().hashCode()).toArray();
		tiles.read((start, count, pixels) -> store.add(pixels, Arrays.copyOfRange(labels, start, start + count),
				Arrays.copyOfRange(groups, start, start + count)));
	}

	private String script(String call) {
		String transfer = backbone == null ? ""
				: ".backbone(" + Scripts.quoted(backbone.onnx().toString()) + ", "
						+ (backbone.headHidden() == null ? 0 : backbone.headHidden()) + ")";
		String from = parent == null ? "" : ".from(" + Scripts.quoted(parent) + ")";
		return "qupath.ext.tessera.Tessera.training()" + tilingScript() + ".epochs(" + epochs + ").folds(" + folds
				+ ").seed(" + seed + ")" + transfer + from + "." + call;
	}
}
