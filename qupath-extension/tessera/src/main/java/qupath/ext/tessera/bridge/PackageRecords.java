package qupath.ext.tessera.bridge;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;

/**
 * A model package's {@code tessera.json}, and the evaluation reports the core writes, as records:
 * the one place Java reads them (the JSON's snake_case names map to the components' names).
 */
public final class PackageRecords {

	private static final Gson GSON = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
			.create();

	private PackageRecords() {}

	/**
	 * A package's {@code tessera.json}.
	 * @param formatVersion the format it was written in
	 * @param name the model's name
	 * @param task what it computes ({@code tile_classification}, …)
	 * @param classes its classes, in output order
	 * @param input the tiles it takes
	 * @param architecture its network as the core records it (not interpreted here)
	 * @param training how it was trained, or null for an imported model
	 * @param provenance where its training data came from
	 * @param metrics how well it did, or null for an imported model
	 */
	public record Package(int formatVersion, String name, String task, List<ClassInfo> classes, Input input,
			JsonElement architecture, Training training, Provenance provenance, Metrics metrics) {}

	/**
	 * @param name the class name
	 * @param color red, green, blue
	 */
	public record ClassInfo(String name, int[] color) {}

	/**
	 * @param tileSize tile side in pixels
	 * @param mpp µm per pixel, or null when the model works at a downsample
	 * @param downsample the downsample from full resolution, or null
	 */
	public record Input(int tileSize, Double mpp, Double downsample) {}

	/**
	 * @param bestEpoch the epoch whose model was kept
	 * @param stopped why training stopped early, or null
	 * @param history every epoch run
	 */
	public record Training(int bestEpoch, String stopped, List<Epoch> history) {}

	/**
	 * @param epoch 1-based epoch
	 * @param trainLoss mean training loss
	 * @param validationAccuracy validation accuracy after the epoch
	 * @param validationMacroF1 validation macro-F1 after the epoch (a segmenter's: mean Dice over the labelled pixels)
	 * @param validationMeanIou a segmenter's validation mean IoU after the epoch, or null for a tile classifier
	 * @param learningRate the rate of the epoch's last step
	 */
	public record Epoch(int epoch, double trainLoss, double validationAccuracy, double validationMacroF1,
			Double validationMeanIou, double learningRate) {}

	/** @param images the images trained on */
	public record Provenance(List<String> images) {}

	/**
	 * @param crossValidation the cross-validation, or null when there was none
	 * @param finalHoldOut the final model on its held-out groups
	 */
	public record Metrics(CrossValidation crossValidation, Report finalHoldOut) {}

	/**
	 * @param folds each fold
	 * @param meanAccuracy mean accuracy over the folds
	 * @param meanBalancedAccuracy mean balanced accuracy over the folds
	 * @param meanMacroF1 mean macro-F1 over the folds (a segmenter's: mean Dice)
	 * @param meanIou a segmenter's mean IoU over the folds, or null for a tile classifier
	 */
	public record CrossValidation(List<Fold> folds, double meanAccuracy, double meanBalancedAccuracy, double meanMacroF1,
			Double meanIou) {}

	/**
	 * @param fold 1-based fold number
	 * @param report its held-out tiles' metrics
	 * @param bestEpoch the epoch whose model was kept
	 */
	public record Fold(int fold, Report report, int bestEpoch) {}

	/**
	 * An evaluation: {@code metrics.json}, or a package's {@code final_hold_out}. A segmenter's
	 * report counts labelled pixels instead of tiles (accuracy is then pixel accuracy and F1 is
	 * Dice, with intervals from resampling whole annotations or images) and has a mean IoU.
	 * @param tiles tiles (or labelled pixels) evaluated
	 * @param accuracy share predicted right
	 * @param balancedAccuracy mean recall over the classes present
	 * @param macroF1 mean F1 over the classes present
	 * @param classes per class
	 * @param confusion rows: true class, columns: predicted class
	 * @param meanIou a segmenter's mean IoU over the classes present, or null for a tile classifier
	 */
	public record Report(long tiles, Metric accuracy, Metric balancedAccuracy, Metric macroF1, List<ClassReport> classes,
			Confusion confusion, Metric meanIou) {
		/** @return whether this is a segmenter's report, over labelled pixels */
		public boolean pixels() {
			return meanIou != null;
		}
	}

	/**
	 * @param value the value on all tiles
	 * @param ci95 its bootstrap 95 % interval
	 */
	public record Metric(double value, Interval ci95) {}

	/**
	 * @param low lower bound
	 * @param high upper bound
	 */
	public record Interval(double low, double high) {}

	/**
	 * @param name the class
	 * @param precision of the tiles predicted as it, the share that are
	 * @param recall of its tiles, the share predicted as it
	 * @param f1 harmonic mean of precision and recall
	 * @param support its tiles
	 * @param rocAuc one-vs-rest ROC AUC, or null when undefined
	 * @param rocCurve one-vs-rest ROC curve as {@code [fpr, tpr]} points, or null
	 * @param iou a segmenter's intersection over union of the class (its F1 is then the Dice coefficient), or null
	 */
	public record ClassReport(String name, double precision, double recall, double f1, long support, Double rocAuc,
			double[][] rocCurve, Double iou) {}

	/**
	 * @param classes number of classes
	 * @param counts row-major counts: row = true class, column = predicted class
	 */
	public record Confusion(int classes, long[] counts) {}

	/**
	 * @param file a model package
	 * @return its {@code tessera.json}
	 * @throws IncompatibleModelException if it is not a readable package
	 */
	public static Package read(Path file) {
		try (var zip = new ZipFile(file.toFile())) {
			var entry = zip.getEntry("tessera.json");
			if (entry == null)
				throw new IncompatibleModelException(file + ": no tessera.json, not a Tessera model package");
			try (var reader = new InputStreamReader(zip.getInputStream(entry), StandardCharsets.UTF_8)) {
				var metadata = GSON.fromJson(reader, Package.class);
				if (metadata == null || metadata.name() == null || metadata.classes() == null || metadata.input() == null)
					throw new IncompatibleModelException(file + ": tessera.json lacks the model's name, classes or input");
				return metadata;
			}
		} catch (IOException | JsonParseException | IllegalStateException e) {
			throw new IncompatibleModelException(file + ": not a readable Tessera model package (" + e.getMessage() + ")", e);
		}
	}

	/**
	 * @param json an evaluation report as the core writes it
	 * @return it as a record
	 */
	public static Report report(JsonElement json) {
		return GSON.fromJson(json, Report.class);
	}

	/**
	 * @param json per-epoch training records as the core writes them
	 * @return them as records
	 */
	public static List<Epoch> epochs(JsonElement json) {
		return List.of(GSON.fromJson(json, Epoch[].class));
	}
}
