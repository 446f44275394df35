package qupath.ext.tessera;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import qupath.ext.tessera.bridge.PatchLabels;
import qupath.ext.tessera.bridge.TileStore;
import qupath.ext.tessera.bridge.Trainer;

/**
 * Trains a pixel classifier (a U-Net) on classified annotations: patches are planned inside and
 * around the annotations and read through QuPath, and the core labels each patch's pixels with
 * the class of the annotation they lie in (other pixels are unlabelled and count for nothing).
 * On one image validation is grouped by annotation (a patch is then labelled by its own
 * annotation only), over several images of a project by image. Writes one {@code .tessera}
 * package whose task is segmentation, atomically; apply it with {@link Tessera#application}.
 */
public final class Segmentation extends TrainingJob<Segmentation> {
	private String loss = "cross-entropy+dice";

	Segmentation() {
		super(new Kind("segmentation", "Tessera: train pixel classifier", "patches",
				"no classified area annotation reaching a patch"));
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

	/**
	 * @param loss {@code cross-entropy}, {@code dice} or {@code cross-entropy+dice} (the default)
	 * @return this job
	 */
	public Segmentation loss(String loss) {
		this.loss = loss;
		return this;
	}

	/** Adds an image's patches with their label masks, grouped by {@code image} (or by annotation when it is negative). */
	@Override
	void add(TileStore store, LabelledTiles patches, List<String> classes, int image) {
		var planned = patches.plan().tiles();
		if (planned.isEmpty())
			return;
		long[] groups = planned.stream().mapToLong(t -> group(t, image)).toArray();
		var regions = Annotations.regions(patches.imageData().getHierarchy().getAnnotationObjects(), null);
		try (var labels = new PatchLabels(patches.name(), regions, image >= 0)) {
			patches.read((start, count, pixels) -> store.addPatches(pixels, planned.subList(start, start + count),
					patches.plan().downsample(), Arrays.copyOfRange(groups, start, start + count), labels));
		}
	}

	@Override
	Trainer.Request request(String name, List<String> images, String groupedBy) {
		return new Trainer.Request(name, spec(), epochs, folds, seed, images, groupedBy, null, null,
				new Trainer.UNet(loss));
	}

	@Override
	Map<String, String> stepParameters(String model) {
		return Map.of("model", model);
	}

	@Override
	String optionsScript() {
		return ".loss(" + Scripts.quoted(loss) + ")";
	}
}
