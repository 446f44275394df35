package qupath.ext.tessera.bridge;

import java.util.List;

import com.google.gson.Gson;
import com.google.gson.JsonObject;

/**
 * Scores a classifier's probabilities against true labels in the native core, the same metrics
 * the training report holds: accuracy, balanced accuracy and macro-F1 with bootstrap 95 %
 * intervals, per-class precision/recall/F1 and one-vs-rest ROC AUC, the confusion matrix.
 */
public final class Evaluator {

	private Evaluator() {}

	/**
	 * @param classes the class names, in probability order
	 * @param truth the true class index of each tile
	 * @param probabilities {@code truth.length × classes.size()} probabilities, tile by tile
	 * @param seed the seed of the bootstrap resampling
	 * @return the report (see {@code metrics.json} in the README)
	 * @throws InvalidInputException if the sizes disagree or a label is out of range
	 */
	public static JsonObject evaluate(List<String> classes, int[] truth, float[] probabilities, long seed) {
		NativeLibrary.ensureLoaded();
		String json = NativeBridge.evaluate(classes.toArray(String[]::new), truth, probabilities, seed);
		return new Gson().fromJson(json, JsonObject.class);
	}
}
