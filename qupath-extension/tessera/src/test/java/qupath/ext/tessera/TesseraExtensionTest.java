package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;

import qupath.lib.gui.extensions.QuPathExtension;

class TesseraExtensionTest {

	@Test
	void isDiscoverableAsAQuPathExtension() {
		var found = ServiceLoader.load(QuPathExtension.class).stream()
				.map(ServiceLoader.Provider::type)
				.toList();
		assertTrue(found.contains(TesseraExtension.class), found.toString());
	}

	@Test
	void describesItselfAndDeclaresHeadlessInstallForQuPath07() throws Exception {
		var extension = new TesseraExtension();
		assertEquals("Tessera", extension.getName());
		assertFalse(extension.getDescription().isBlank());
		// QuPath 0.7 calls installHeadless() by name; it must be public with no parameters.
		var method = TesseraExtension.class.getMethod("installHeadless");
		assertEquals(void.class, method.getReturnType());
	}
}
