package qupath.ext.tessera.bridge;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Training tiles held by the native core: pixels read by QuPath, pushed in batches.
 * <p>
 * Each tile carries its class (an index into {@link #classes()}) and its group: the id of the
 * polygon (or image) it came from, so that splits never put tiles of one group on both sides.
 */
public final class TileStore extends NativeObject {

	private final int side;
	private final List<String> classes;

	/**
	 * @param side tile side in pixels
	 * @param classes the class names; labels index into this list
	 */
	public TileStore(int side, List<String> classes) {
		super(create(side, classes), NativeBridge::tileStoreFree);
		this.side = side;
		this.classes = List.copyOf(classes);
	}

	private static long create(int side, List<String> classes) {
		NativeLibrary.ensureLoaded();
		return NativeBridge.tileStoreNew(side, classes.toArray(String[]::new));
	}

	/** @return the class names, in label order */
	public List<String> classes() {
		return classes;
	}

	/** @return the tile side in pixels */
	public int side() {
		return side;
	}

	/**
	 * Adds tiles in one call.
	 * @param rgb a direct buffer of {@code labels.length} packed RGB tiles (see {@link RgbPixels}), from position 0
	 * @param labels each tile's class index
	 * @param groups each tile's group id
	 * @throws InvalidInputException if the sizes do not agree or a label is out of range
	 */
	public void add(ByteBuffer rgb, int[] labels, long[] groups) {
		Objects.requireNonNull(rgb, "rgb");
		if (!rgb.isDirect())
			throw new InvalidInputException("tile pixels must be in a direct buffer");
		withHandle(store -> {
			NativeBridge.tileStoreAdd(store, rgb, labels.length, labels, groups);
			return null;
		});
	}

	/**
	 * Adds patches of a plan for a segmenter in one call: the core paints each patch's label mask
	 * from {@code labels} and skips a patch without a labelled pixel. A store holds tiles or
	 * patches, never both.
	 * @param rgb a direct buffer of {@code tiles.size()} packed RGB patches, from position 0
	 * @param tiles the planned patches, in the buffer's order
	 * @param downsample full-resolution pixels per patch pixel
	 * @param groups each patch's group id
	 * @param labels the annotations of the patches' image
	 * @return the patches added
	 * @throws InvalidInputException if the sizes do not agree or the store holds tiles without masks
	 */
	public int addPatches(ByteBuffer rgb, List<TilePlanner.Tile> tiles, double downsample, long[] groups,
			PatchLabels labels) {
		Objects.requireNonNull(rgb, "rgb");
		if (!rgb.isDirect())
			throw new InvalidInputException("patch pixels must be in a direct buffer");
		long[] positions = new long[2 * tiles.size()];
		for (int i = 0; i < tiles.size(); i++) {
			positions[2 * i] = tiles.get(i).x();
			positions[2 * i + 1] = tiles.get(i).y();
		}
		String[] ids = tiles.stream().map(TilePlanner.Tile::polygonId).toArray(String[]::new);
		return labels.use(masks -> withHandle(
				store -> NativeBridge.tileStoreAddPatches(store, rgb, positions, ids, downsample, groups, masks)));
	}

	/** @return the number of tiles held */
	public int size() {
		return withHandle(NativeBridge::tileStoreSize);
	}

	/** Runs a native call with this store's handle. */
	<T> T use(java.util.function.LongFunction<T> call) {
		return withHandle(call);
	}
}
