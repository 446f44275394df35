package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * An image or slide could not be opened or read.
 */
public class ImageReadException extends TesseraException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message what failed, naming the input (thrown by the native library with this constructor)
	 */
	public ImageReadException(String message) {
		super(message);
	}

	/**
	 * @param message what failed, naming the input
	 * @param cause the underlying failure
	 */
	public ImageReadException(String message, Throwable cause) {
		super(message, cause);
	}
}
