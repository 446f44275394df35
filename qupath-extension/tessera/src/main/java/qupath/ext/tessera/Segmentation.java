package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;

import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.PatchLabels;
import qupath.ext.tessera.bridge.TileStore;
import qupath.ext.tessera.bridge.Trainer;
import qupath.lib.images.ImageData;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;

/**
 * Trains a pixel classifier (a U-Net) on classified annotations: patches are planned inside and
 * around the annotations and read through QuPath, and the core labels each patch's pixels with
 * the class of the annotation they lie in (other pixels are unlabelled and count for nothing).
 * On one image validation is grouped by annotation (a patch is then labelled by its own
 * annotation only), over several images of a project by image. Writes one {@code .tessera}
 * package whose task is segmentation, atomically; apply it with {@link Tessera#application}.
 */
public final class Segmentation extends TilingJob<Segmentation> {
	private int epochs = 20;
	private int folds = 4;
	private long seed;
	private String loss = "cross-entropy+dice";

	Segmentation() {
		// `tessera train --task segmentation`'s defaults: overlapping patches, and patches a region
		// covers only a quarter of, so that the annotations' edges are learnt too.
		tileSize = 64;
		micronsPerPixel = 1.0;
		overlap = 0.5;
		minCoverage = 0.25;
	}

	@Override
	Segmentation self() {
		return this;
	}

	/** @return this job training for at most {@code epochs} epochs */
	public Segmentation epochs(int epochs) {
		this.epochs = epochs;
		return this;
	}

	/** @return this job cross-validated over {@code folds} grouped folds (0: none) */
	public Segmentation folds(int folds) {
		this.folds = folds;
		return this;
	}

	/** @return this job with its random choices drawn from {@code seed} */
	public Segmentation seed(long seed) {
		this.seed = seed;
		return this;
	}

	/**
	 * @param loss {@code cross-entropy}, {@code dice} or {@code cross-entropy+dice} (the default)
	 * @return this job
	 */
	public Segmentation loss(String loss) {
		this.loss = loss;
		return this;
	}

	/**
	 * Plans patches in the image's classified annotations, trains and writes the model; records the step.
	 * @param imageData the image
	 * @param model where to write the {@code .tessera} package
	 * @return the model's metrics (per-class IoU and Dice, mean IoU, with intervals)
	 */
	public JsonObject train(ImageData<BufferedImage> imageData, String model) {
		var patches = LabelledTiles.plan(Tessera.imageName(imageData), imageData, spec());
		var metrics = train(List.of(patches), model);
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: train pixel classifier",
				Map.of("model", model), script("train(getCurrentImageData(), " + Scripts.quoted(model) + ")")));
		return metrics;
	}

	/**
	 * Trains on the classified annotations of several images of a project, read from their saved
	 * data; validation is grouped by image (by annotation when there is one image).
	 * @param images the project's images to learn from
	 * @param model where to write the {@code .tessera} package
	 * @return the model's metrics
	 */
	public JsonObject trainOnProject(List<ProjectImageEntry<BufferedImage>> images, String model) {
		List<LabelledTiles> all = new ArrayList<>();
		List<ImageData<BufferedImage>> opened = new ArrayList<>();
		try {
			for (var entry : images) {
				checkCancelled();
				report(all.size(), images.size(), "Planning patches of " + entry.getImageName());
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
			throw new InvalidInputException("no patches: "
					+ String.join(", ", images.stream().map(LabelledTiles::name).toList())
					+ " have no classified area annotation reaching a patch");
		List<String> names = images.stream().map(LabelledTiles::name).toList();
		String name = Path.of(model).getFileName().toString().replaceFirst("\\.tessera$", "");
		try (var store = new TileStore(tileSize, classes)) {
			for (int i = 0; i < images.size(); i++) {
				checkCancelled();
				var patches = images.get(i);
				report(i, images.size(), "Reading patches of " + patches.name());
				add(store, patches, byImage ? i : -1);
			}
			var request = new Trainer.Request(name, spec(), epochs, folds, seed, names, byImage ? "slide" : "polygon",
					null, null, new Trainer.UNet(loss));
			return Trainer.train(store, request, Training.folderFor(Path.of(model)), progress, cancel);
		}
	}

	/** Adds an image's patches with their label masks, grouped by {@code image} (or by annotation when it is negative). */
	private static void add(TileStore store, LabelledTiles patches, int image) {
		var planned = patches.plan().tiles();
		if (planned.isEmpty())
			return;
		long[] groups = planned.stream().mapToLong(t -> image >= 0 ? image : t.polygonId().hashCode()).toArray();
		var regions = Annotations.regions(patches.imageData().getHierarchy().getAnnotationObjects(), null);
		try (var labels = new PatchLabels(patches.name(), regions, image >= 0)) {
			patches.read((start, count, pixels) -> store.addPatches(pixels, planned.subList(start, start + count),
					patches.plan().downsample(), Arrays.copyOfRange(groups, start, start + count), labels));
		}
	}

	private String script(String call) {
		return "qupath.ext.tessera.Tessera.segmentation()" + tilingScript() + ".epochs(" + epochs + ").folds(" + folds
				+ ").seed(" + seed + ").loss(" + Scripts.quoted(loss) + ")." + call;
	}
}
