package qupath.ext.tessera.bridge;

import java.util.Objects;

/**
 * How unsure each tile's prediction is, measured by the native core as the {@code tessera}
 * command measures it: the entropy of the class probabilities divided by its largest possible
 * value (0 sure, 1 all classes alike) and the top-2 margin (the most probable class's probability
 * minus the second's).
 */
public final class Uncertainty {

	/**
	 * The measurement names the core gives the two measures, and the score a review object
	 * carries (the measure it was picked by).
	 * @param entropy the name of the normalised entropy
	 * @param margin the name of the top-2 margin
	 * @param reviewScore the name of a review object's score
	 */
	public record Names(String entropy, String margin, String reviewScore) {}

	/** The names, asked of the core once. */
	private static volatile Names names;

	private Uncertainty() {}

	/** @return the measurement names, as the {@code tessera} command writes them */
	public static Names names() {
		if (names == null) {
			NativeLibrary.ensureLoaded();
			String[] lines = NativeBridge.uncertaintyNames().split("\n");
			names = new Names(lines[0], lines[1], lines[2]);
		}
		return names;
	}

	/**
	 * @param probabilities {@code tiles × classes} values, tile by tile
	 * @param classes the number of classes
	 * @return each tile's entropy then its margin, {@code 2 × tiles} values
	 * @throws InvalidInputException if the values are not rows of {@code classes}
	 */
	public static float[] of(float[] probabilities, int classes) {
		NativeLibrary.ensureLoaded();
		return NativeBridge.uncertainty(Objects.requireNonNull(probabilities, "probabilities"), classes);
	}
}
