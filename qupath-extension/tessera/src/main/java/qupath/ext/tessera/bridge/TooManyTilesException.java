package qupath.ext.tessera.bridge;

import java.io.Serial;

/**
 * A plan would make more tiles than are made without the user's confirmation (a million unless
 * the job's {@code maxTiles} says otherwise): usually a tile size, overlap or resolution typed
 * wrong. The message gives the estimate; running the job again with {@code maxTiles(0)} makes
 * them all.
 */
public class TooManyTilesException extends InvalidInputException {

	@Serial
	private static final long serialVersionUID = 1L;

	/**
	 * @param message the image, the estimated number of tiles and the limit (thrown by the native library)
	 */
	public TooManyTilesException(String message) {
		super(message);
	}
}
