package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * The input is wrong: a bad parameter, a malformed file, an empty selection.
 */
public class InvalidInputException extends TesseraException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input (thrown by the native library with this constructor)
	 */
	public InvalidInputException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public InvalidInputException(String message, Throwable cause) {
		super(message, cause);
	}
}
