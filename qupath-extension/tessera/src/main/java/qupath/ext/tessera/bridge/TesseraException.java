package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * A failure in Tessera's native core. Subclasses say what kind; the message says what and where.
 * <p>
 * Unchecked, so that Groovy scripts and lambdas need no ceremony; native failures are always one
 * of the subclasses, and a native failure never crashes the JVM.
 */
public class TesseraException extends RuntimeException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input
	 */
	public TesseraException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public TesseraException(String message, Throwable cause) {
		super(message, cause);
	}
}
