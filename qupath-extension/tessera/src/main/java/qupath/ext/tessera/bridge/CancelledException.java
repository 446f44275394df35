package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * The job was cancelled; nothing was written.
 */
public class CancelledException extends TesseraException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input (thrown by the native library with this constructor)
	 */
	public CancelledException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public CancelledException(String message, Throwable cause) {
		super(message, cause);
	}
}
