package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * A model does not fit the request: wrong input shape or channels, unknown outputs, a corrupt file.
 */
public class IncompatibleModelException extends TesseraException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input (thrown by the native library with this constructor)
	 */
	public IncompatibleModelException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public IncompatibleModelException(String message, Throwable cause) {
		super(message, cause);
	}
}
