package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** A real ONNX model run by ONNX Runtime through the native library, against plain Java maths. */
class OnnxModelIT {

	@Test
	void probeModelMatchesAnIndependentReference() {
		int features = 5, classes = 3, rows = 17;
		var random = new Random(42);
		float[] weights = randomArray(random, features * classes);
		float[] bias = randomArray(random, classes);
		float[] x = randomArray(random, rows * features);

		float[] actual;
		try (var model = new OnnxModel(Diagnostics.probeModel(weights, bias, features), 2)) {
			actual = model.runRows(x, features, 4, null, null);
		}

		assertEquals(rows * classes, actual.length);
		for (int r = 0; r < rows; r++) {
			double[] logits = new double[classes];
			double max = Double.NEGATIVE_INFINITY;
			for (int c = 0; c < classes; c++) {
				logits[c] = bias[c];
				for (int f = 0; f < features; f++)
					logits[c] += (double) x[r * features + f] * weights[f * classes + c];
				max = Math.max(max, logits[c]);
			}
			double sum = 0;
			for (int c = 0; c < classes; c++)
				sum += Math.exp(logits[c] - max);
			for (int c = 0; c < classes; c++)
				assertEquals(Math.exp(logits[c] - max) / sum, actual[r * classes + c], 1e-6, "row " + r + " class " + c);
		}
	}

	private static float[] randomArray(Random random, int n) {
		float[] values = new float[n];
		for (int i = 0; i < n; i++)
			values[i] = (float) random.nextGaussian();
		return values;
	}
}
