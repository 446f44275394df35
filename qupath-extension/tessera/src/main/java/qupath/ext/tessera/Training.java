package qupath.ext.tessera;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import qupath.ext.tessera.bridge.TileStore;
import qupath.ext.tessera.bridge.Trainer;

/**
 * Trains a tile classifier on classified annotations: of one image (validation grouped by
 * annotation) or of several images of a project (grouped by image, so no image is on both sides
 * of a split). Writes one {@code .tessera} package, atomically.
 */
public final class Training extends TrainingJob<Training> {
	private Trainer.Backbone backbone;
	private String parent;

	Training() {
		super(new Kind("training", "Tessera: train tile classifier", "tiles",
				"no classified area annotation large enough for one tile"));
	}

	@Override
	Training self() {
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

	/** Adds an image's tiles, grouped by {@code image} (or by annotation when it is negative). */
	@Override
	void add(TileStore store, LabelledTiles tiles, List<String> classes, int image) {
		var planned = tiles.plan().tiles();
		if (planned.isEmpty())
			return;
		int[] labels = planned.stream().mapToInt(t -> classes.indexOf(t.label())).toArray();
		long[] groups = planned.stream().mapToLong(t -> group(t, image)).toArray();
		tiles.read((start, count, pixels) -> store.add(pixels, Arrays.copyOfRange(labels, start, start + count),
				Arrays.copyOfRange(groups, start, start + count)));
	}

	@Override
	Trainer.Request request(String name, List<String> images, String groupedBy) {
		return new Trainer.Request(name, spec(), epochs, folds, seed, images, groupedBy, backbone,
				parent == null ? null : Path.of(parent));
	}

	@Override
	Map<String, String> stepParameters(String model) {
		return parent == null ? Map.of("model", model) : Map.of("model", model, "from", parent);
	}

	@Override
	String optionsScript() {
		String transfer = backbone == null ? ""
				: ".backbone(" + Scripts.quoted(backbone.onnx().toString()) + ", "
						+ (backbone.headHidden() == null ? 0 : backbone.headHidden()) + ")";
		return transfer + (parent == null ? "" : ".from(" + Scripts.quoted(parent) + ")");
	}
}
