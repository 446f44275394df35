package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class NativeLibraryTest {

	@Test
	void versionMismatchIsRefusedWithBothVersions() {
		var e = assertThrows(TesseraException.class,
				() -> NativeLibrary.checkVersion("0.2.0", "0.1.0", Path.of("/x/libtessera_jni.so")));
		assertTrue(e.getMessage().contains("0.2.0") && e.getMessage().contains("0.1.0")
				&& e.getMessage().contains("/x/libtessera_jni.so"), e.getMessage());
		assertDoesNotThrow(() -> NativeLibrary.checkVersion("0.1.0", "0.1.0", Path.of("x")));
	}

	@Test
	void expectedVersionComesFromTheBuild() {
		assertTrue(NativeLibrary.expectedVersion().matches("\\d+\\.\\d+\\.\\d+.*"), NativeLibrary.expectedVersion());
	}

	@Test
	void listingParsesSha256sumOutput() {
		var files = NativeExtractor.parseListing("abc123  libtessera_jni.so\ndef456 *libonnxruntime.so.1\n\n");
		assertEquals("abc123", files.get("libtessera_jni.so"));
		assertEquals("def456", files.get("libonnxruntime.so.1"));
		assertThrows(TesseraException.class, () -> NativeExtractor.parseListing("\n"));
	}
}
