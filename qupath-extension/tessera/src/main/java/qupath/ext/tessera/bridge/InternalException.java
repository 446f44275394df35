package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * A fault inside Tessera itself, never the user's input (a poisoned lock, a native thread that
 * cannot start, a value that cannot be serialised): a bug to report.
 */
public class InternalException extends TesseraException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input (thrown by the native library with this constructor)
	 */
	public InternalException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public InternalException(String message, Throwable cause) {
		super(message, cause);
	}
}
