package qupath.ext.tessera.bridge;

import java.util.Arrays;

/**
 * Checks a Tessera installation: loads the native library and ONNX Runtime and runs a tiny real
 * ONNX model. Run it as a program to check an installation from a terminal:
 * {@code java -cp qupath-extension-tessera-<version>.jar qupath.ext.tessera.bridge.Diagnostics}.
 */
public final class Diagnostics {

	private Diagnostics() {}

	/**
	 * Builds the probe model {@code probabilities = softmax(x·W + b)}.
	 * @param weights row-major {@code features × classes} matrix
	 * @param bias one value per class
	 * @param features input features per row
	 * @return the serialised ONNX model
	 */
	public static byte[] probeModel(float[] weights, float[] bias, int features) {
		NativeLibrary.ensureLoaded();
		return NativeBridge.probeModel(weights, bias, features);
	}

	/**
	 * Builds a colour backbone: each channel's mean and maximum of {@code [n, 3, side, side]}
	 * images, 6 features (for trying transfer learning without a downloaded backbone).
	 * @param side the tile side it takes
	 * @return the serialised ONNX model
	 */
	public static byte[] probeBackbone(int side) {
		NativeLibrary.ensureLoaded();
		return NativeBridge.probeBackbone(side);
	}

	/**
	 * Loads everything and runs the probe model on two rows.
	 * @return a short human-readable report
	 * @throws TesseraException if anything fails
	 */
	public static String report() {
		NativeInfo info = NativeLibrary.ensureLoaded();
		float[] probabilities;
		try (var model = new OnnxModel(probeModel(new float[] {1, -1, 0.5f, 0.5f}, new float[] {0, 0}, 2), 1)) {
			probabilities = model.runRows(new float[] {1, 0, 0, 1}, 2, 2, null, null);
		}
		return "Tessera " + info.version() + " is installed and working: its native library loaded ONNX Runtime and ran a test model.\n\n"
				+ "native library: " + info.library() + "\n"
				+ "ONNX Runtime: " + info.onnxRuntime() + "\n"
				+ "ONNX Runtime build: " + info.onnxRuntimeBuild() + "\n"
				+ "probe model probabilities: " + Arrays.toString(probabilities);
	}

	/**
	 * Prints {@link #report()}; exits with status 1 and the error on failure.
	 * @param args ignored
	 */
	public static void main(String[] args) {
		try {
			System.out.println(report());
		} catch (TesseraException e) {
			System.err.println("error: " + e.getMessage());
			System.exit(1);
		}
	}
}
