package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundary's error mapping and panic safety, through the test build of the native library
 * (its {@code test-hooks}), which Maven runs this class against in its own execution.
 */
class NativeTestHooksIT {

	@BeforeAll
	static void load() {
		NativeLibrary.ensureLoaded();
	}

	@Test
	void everyErrorKindHasItsExceptionClass() {
		Map<String, Class<? extends TesseraException>> kinds = Map.of(
				"base", TesseraException.class,
				"invalid-input", InvalidInputException.class,
				"too-many-tiles", TooManyTilesException.class,
				"incompatible-model", IncompatibleModelException.class,
				"image-read", ImageReadException.class,
				"cancelled", CancelledException.class,
				"native-panic", NativePanicException.class,
				"onnx-runtime", OnnxRuntimeException.class,
				"internal", InternalException.class);
		kinds.forEach((kind, type) -> {
			var e = assertThrows(TesseraException.class, () -> NativeTestHooks.debugFail(kind, "message for " + kind));
			assertEquals(type, e.getClass());
			assertEquals("message for " + kind, e.getMessage());
		});
	}

	@Test
	void nativePanicBecomesAnExceptionAndTheJvmLivesOn() {
		for (int i = 0; i < 3; i++) {
			var e = assertThrows(NativePanicException.class, () -> NativeTestHooks.debugPanic("deliberate test panic"));
			assertTrue(e.getMessage().contains("deliberate test panic"), e.getMessage());
		}
		// The library still works after the panics.
		try (var model = new OnnxModel(Diagnostics.probeModel(new float[] {1, 2, 3, 4}, new float[] {0, 0}, 2), 1)) {
			assertEquals(2, model.runRows(new float[] {1, 1}, 2, 1, null, null).length);
		}
	}
}
