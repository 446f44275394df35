package qupath.ext.tessera.bridge;

import java.util.List;
import java.util.Objects;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;

/**
 * Picks the applied tiles a user should review next, across one or more images, as the
 * {@code tessera review} command picks them: ranked by the uncertainty of the prediction or by
 * the loss against the class of the annotation holding the tile, the top ones spread out over
 * the images rather than crowded round one spot.
 */
public final class ReviewPicker {

	private static final Gson GSON = new Gson();

	private ReviewPicker() {}

	/**
	 * One image's applied tiles and the user's classified annotations. Per-class values follow
	 * the class list given to {@link #pick}.
	 * @param name the image's name (errors name it)
	 * @param boxes each tile's bounds, four values per tile: x, y, width, height (pixels)
	 * @param entropy each tile's normalised entropy, NaN where it has none
	 * @param predicted each tile's predicted class (an index into the classes), −1 for none
	 * @param probabilities each tile's probability of each class, NaN where it has none
	 * @param annotations the user's classified area annotations (class and WKB polygon)
	 */
	public record Image(String name, double[] boxes, double[] entropy, int[] predicted, double[] probabilities,
			List<TilePlanner.Region> annotations) {}

	/**
	 * A tile picked for review.
	 * @param image the image it lies in, an index into the images given
	 * @param tile the tile, an index into its image's tiles
	 * @param score what it was picked by: the entropy, or the loss against the annotated class
	 * @param name the name the review object takes, {@code Tessera review n: Class?}
	 */
	public record Pick(int image, int tile, double score, String name) {}

	/**
	 * @param ranking {@code uncertainty} (where the model hesitates) or {@code loss} (where it
	 *        disagrees with the annotations)
	 * @param count how many tiles to pick over all the images
	 * @param classes the class names the per-class values refer to
	 * @param images the images' tiles and annotations
	 * @return the picks, image by image in the given order, each image's in pick order
	 * @throws InvalidInputException for an unknown ranking, a count below 1, arrays that do not fit
	 *         together, a tile without an entropy (ranking by uncertainty) or an image without
	 *         classified annotations (ranking by loss)
	 */
	public static List<Pick> pick(String ranking, int count, List<String> classes, List<Image> images) {
		Objects.requireNonNull(ranking, "ranking");
		NativeLibrary.ensureLoaded();
		int n = images.size();
		int[] tiles = new int[n];
		int[] annotations = new int[n];
		int tileTotal = 0;
		int annotationTotal = 0;
		for (int i = 0; i < n; i++) {
			tiles[i] = images.get(i).entropy().length;
			annotations[i] = images.get(i).annotations().size();
			tileTotal += tiles[i];
			annotationTotal += annotations[i];
		}
		int k = classes.size();
		double[] boxes = new double[4 * tileTotal];
		double[] entropy = new double[tileTotal];
		int[] predicted = new int[tileTotal];
		double[] probabilities = new double[k * tileTotal];
		byte[][] geometries = new byte[annotationTotal][];
		String[] annotationClasses = new String[annotationTotal];
		int t = 0;
		int a = 0;
		for (var image : images) {
			int m = image.entropy().length;
			copy(image.boxes(), boxes, 4 * t, 4 * m, image.name(), "box values");
			copy(image.entropy(), entropy, t, m, image.name(), "entropies");
			copy(image.probabilities(), probabilities, k * t, k * m, image.name(), "probabilities");
			if (image.predicted().length != m)
				throw new InvalidInputException(image.name() + ": " + image.predicted().length + " predicted classes for "
						+ m + " tiles");
			System.arraycopy(image.predicted(), 0, predicted, t, m);
			for (var region : image.annotations()) {
				geometries[a] = region.wkb();
				annotationClasses[a++] = region.className();
			}
			t += m;
		}
		String json = NativeBridge.reviewPick(ranking, count, classes.toArray(String[]::new),
				images.stream().map(Image::name).toArray(String[]::new), tiles, boxes, entropy, predicted, probabilities,
				annotations, geometries, annotationClasses);
		return GSON.fromJson(json, new TypeToken<List<Pick>>() {}.getType());
	}

	/** Copies an image's {@code length} values into the concatenated array, refusing a wrong length. */
	private static void copy(double[] from, double[] to, int at, int length, String image, String what) {
		if (from.length != length)
			throw new InvalidInputException(image + ": " + from.length + " " + what + " where " + length + " were expected");
		System.arraycopy(from, 0, to, at, length);
	}
}
