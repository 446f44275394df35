package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * A bug in the native core: it panicked. The panic was caught, the JVM is unharmed, and the message says where.
 */
public class NativePanicException extends TesseraException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input (thrown by the native library with this constructor)
	 */
	public NativePanicException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public NativePanicException(String message, Throwable cause) {
		super(message, cause);
	}
}
