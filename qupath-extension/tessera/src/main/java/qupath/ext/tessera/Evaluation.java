package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import qupath.ext.tessera.bridge.Evaluator;
import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.lib.images.ImageData;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;

/**
 * Evaluates a model on the classified annotations of an image it was not trained on: the tiles
 * inside each annotation are classified and compared with the annotation's class. Nothing is
 * added to the hierarchy.
 */
public final class Evaluation extends ModelJob<Evaluation> {

	private String report;

	Evaluation(String model) {
		super(model);
	}

	@Override
	Evaluation self() {
		return this;
	}

	/** @return this job also writing {@code metrics.json} into the directory {@code dir} */
	public Evaluation report(String dir) {
		this.report = dir;
		return this;
	}

	/**
	 * @param imageData the image whose classified annotations are the truth
	 * @return the metrics (accuracy, balanced accuracy, macro-F1 with 95 % intervals, per class, confusion)
	 * @throws InvalidInputException if an annotation class is not one of the model's, or no tile fits
	 */
	public JsonObject evaluate(ImageData<BufferedImage> imageData) {
		JsonObject metrics;
		try (var predictor = load()) {
			List<String> classes = predictor.classNames();
			var unknown = new TreeSet<>(Tessera.annotationClasses(imageData).keySet());
			unknown.removeAll(classes);
			if (!unknown.isEmpty())
				throw new InvalidInputException(Tessera.imageName(imageData) + ": annotation classes " + unknown
						+ " are not classes of the model " + model + " " + classes);
			var tiles = LabelledTiles.plan(Tessera.imageName(imageData), imageData, spec(predictor));
			if (tiles.plan().tiles().isEmpty())
				throw new InvalidInputException(Tessera.imageName(imageData)
						+ ": no classified annotation large enough for one tile");
			int[] truth = tiles.labels().stream().mapToInt(classes::indexOf).toArray();
			float[] probabilities;
			try (var pixels = ImagePixels.of(imageData.getServer())) {
				probabilities = TileBatches.classify(predictor, pixels, tiles.plan(), progress, cancel);
			}
			metrics = Evaluator.evaluate(classes, truth, probabilities, 0);
		}
		if (report != null)
			write(metrics, Path.of(report));
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: evaluate model",
				Map.of("model", model), script()));
		return metrics;
	}

	private static void write(JsonObject metrics, Path dir) {
		try {
			Files.createDirectories(dir);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot write the report into " + dir, e);
		}
		String json = new GsonBuilder().setPrettyPrinting().create().toJson(metrics);
		OutputFiles.write(dir.resolve("metrics.json"), file -> Files.writeString(file, json));
	}

	/** @return the Groovy line that runs this job again on the current image */
	String script() {
		String reportCall = report == null ? "" : ".report(" + Scripts.quoted(report) + ")";
		return scriptStart("evaluation") + reportCall + ".evaluate(getCurrentImageData())";
	}
}
