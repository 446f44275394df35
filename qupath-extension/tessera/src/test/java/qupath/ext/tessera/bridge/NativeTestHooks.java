package qupath.ext.tessera.bridge;

/**
 * Natives that exist only in the test build of the native library (cargo feature
 * {@code test-hooks}), registered on this test class: they are never in the library the jar ships.
 */
final class NativeTestHooks {

	private NativeTestHooks() {}

	/** Panics inside native code, to prove a panic becomes {@link NativePanicException}. */
	static native void debugPanic(String message);

	/** Fails with the error kind named ({@code invalid-input}, …), to test the exception mapping. */
	static native void debugFail(String kind, String message);

	/**
	 * How many of the first fuzz inputs of a reader ({@code geojson}, {@code wkb}, {@code package},
	 * {@code tiff}) are valid files, which the reader must accept.
	 */
	static native int fuzzSeeds(String target);

	/** Fuzz input {@code index} of a reader: the very bytes tessera-core's fuzz test reads. */
	static native byte[] fuzzInput(String target, long index);
}
