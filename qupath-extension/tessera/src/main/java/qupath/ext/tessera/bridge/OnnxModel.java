package qupath.ext.tessera.bridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An ONNX model loaded into ONNX Runtime by the native core, with one input and one output.
 * <p>
 * Close it when done; calls are thread-safe (the native side runs one at a time).
 */
public final class OnnxModel extends NativeObject {

	/**
	 * Loads a serialised ONNX model.
	 * @param onnx the model file's bytes
	 * @param threads ONNX Runtime threads per call (at least 1)
	 * @throws IncompatibleModelException if the bytes are not a usable model
	 */
	public OnnxModel(byte[] onnx, int threads) {
		super(load(onnx, threads), NativeBridge::modelFree);
	}

	private static long load(byte[] onnx, int threads) {
		Objects.requireNonNull(onnx, "onnx");
		NativeLibrary.ensureLoaded();
		return NativeBridge.modelLoad(onnx, threads);
	}

	/**
	 * Runs the model over rows of features, in batches, on a native worker thread.
	 * @param rows the rows, one after the other
	 * @param rowLength values per row
	 * @param batch rows per inference call
	 * @param listener progress receiver, or null
	 * @param cancel token that stops the job between batches, or null
	 * @return the outputs of all rows, one after the other
	 * @throws CancelledException if cancelled
	 */
	public float[] runRows(float[] rows, int rowLength, int batch, ProgressListener listener, CancellationToken cancel) {
		Objects.requireNonNull(rows, "rows");
		ByteBuffer buffer = ByteBuffer.allocateDirect(rows.length * Float.BYTES).order(ByteOrder.nativeOrder());
		buffer.asFloatBuffer().put(rows);
		ProgressListener safeListener = listener == null ? (done, total, message) -> {} : listener;
		if (cancel == null) {
			try (var token = new CancellationToken()) {
				return run(buffer, rows.length, rowLength, batch, safeListener, token);
			}
		}
		return run(buffer, rows.length, rowLength, batch, safeListener, cancel);
	}

	private float[] run(ByteBuffer buffer, int values, int rowLength, int batch, ProgressListener listener,
			CancellationToken cancel) {
		return cancel.use(token -> withHandle(
				model -> NativeBridge.modelRunRows(model, buffer, values, rowLength, batch, listener, token)));
	}
}
