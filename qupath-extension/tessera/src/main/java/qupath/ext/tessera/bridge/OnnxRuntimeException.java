package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * ONNX Runtime is missing, too old, or failed while running a model.
 */
public class OnnxRuntimeException extends TesseraException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input (thrown by the native library with this constructor)
	 */
	public OnnxRuntimeException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public OnnxRuntimeException(String message, Throwable cause) {
		super(message, cause);
	}
}
