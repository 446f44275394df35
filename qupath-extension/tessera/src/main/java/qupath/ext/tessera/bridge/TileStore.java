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

	/** @return the number of tiles held */
	public int size() {
		return withHandle(NativeBridge::tileStoreSize);
	}

	/** Runs a native call with this store's handle. */
	<T> T use(java.util.function.LongFunction<T> call) {
		return withHandle(call);
	}
}
