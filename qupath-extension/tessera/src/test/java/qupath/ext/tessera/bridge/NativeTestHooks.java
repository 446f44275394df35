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
}
