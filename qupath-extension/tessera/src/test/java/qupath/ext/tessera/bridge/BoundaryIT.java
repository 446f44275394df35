package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JNI contract: exceptions, panics, handles. */
class BoundaryIT {

	private static final byte[] PROBE = probe();

	@BeforeAll
	static void load() {
		NativeLibrary.ensureLoaded();
	}

	private static byte[] probe() {
		return Diagnostics.probeModel(new float[] {1, 2, 3, 4}, new float[] {0, 0}, 2);
	}

	@Test
	void realFailuresMapToTheirClasses() {
		var corrupt = assertThrows(IncompatibleModelException.class, () -> new OnnxModel(new byte[] {1, 2, 3}, 1));
		assertTrue(corrupt.getMessage().contains("not a usable ONNX model"), corrupt.getMessage());
		try (var model = new OnnxModel(PROBE, 1)) {
			var badRow = assertThrows(InvalidInputException.class, () -> model.runRows(new float[] {1, 2}, 0, 1, null, null));
			assertTrue(badRow.getMessage().contains("row length"), badRow.getMessage());
			var wrongWidth = assertThrows(OnnxRuntimeException.class, () -> model.runRows(new float[] {1, 2, 3}, 3, 1, null, null));
			assertTrue(wrongWidth.getMessage().contains("ONNX Runtime"), wrongWidth.getMessage());
		}
		var badProbe = assertThrows(InvalidInputException.class,
				() -> Diagnostics.probeModel(new float[] {1, 2, 3}, new float[] {0, 0}, 2));
		assertTrue(badProbe.getMessage().contains("3 weights"), badProbe.getMessage());
	}

	@Test
	void handlesCloseOnceAndRefuseUseAfterClose() {
		var model = new OnnxModel(PROBE, 1);
		var token = new CancellationToken();
		model.close();
		model.close();
		token.close();
		token.close();
		assertTrue(model.isClosed() && token.isClosed());
		assertThrows(IllegalStateException.class, () -> model.runRows(new float[] {1, 1}, 2, 1, null, null));
		assertThrows(IllegalStateException.class, token::cancel);
		assertThrows(IllegalStateException.class, token::isCancelled);
	}

	@Test
	void aHandleOfTheWrongTypeIsRefused() {
		try (var token = new CancellationToken(); var model = new OnnxModel(PROBE, 1)) {
			long tokenHandle = token.use(h -> h);
			var e = assertThrows(InvalidInputException.class,
					() -> NativeBridge.modelRunRows(tokenHandle, java.nio.ByteBuffer.allocateDirect(8), 2, 2, 1,
							(d, t, m) -> {}, tokenHandle));
			assertTrue(e.getMessage().contains("handle is not a"), e.getMessage());
			assertTrue(!model.isClosed());
		}
	}

	@Test
	void bytesRoundTripThroughTheBoundary() {
		List<float[]> inputs = List.of(new float[] {0, 0}, new float[] {1e-3f, -1e3f});
		try (var model = new OnnxModel(PROBE, 1)) {
			for (float[] row : inputs)
				assertArrayEquals(model.runRows(row, 2, 1, null, null), model.runRows(row.clone(), 2, 1, null, null));
		}
	}

	@Test
	void theShippedLibraryHasNoTestHooks() {
		// The jar's library registers no test hook (they exist only in the test-hooks build).
		assertThrows(UnsatisfiedLinkError.class, () -> NativeTestHooks.debugPanic("never"));
		assertThrows(UnsatisfiedLinkError.class, () -> NativeTestHooks.debugFail("base", "never"));
	}
}
