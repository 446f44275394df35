package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonParser;

/**
 * The extension-manager catalog ({@code catalog.json} at the repository root, the format of
 * qupath/extension-catalog-model) points at the jar this build makes, for QuPath 0.6.0 and later.
 */
class CatalogIT {

	@Test
	void catalogNamesThisReleaseAndItsJar() throws Exception {
		var catalog = JsonParser.parseString(Files.readString(Path.of("../../catalog.json"))).getAsJsonObject();
		for (String field : new String[] {"name", "description", "extensions"})
			assertTrue(catalog.has(field), field);
		var extension = catalog.getAsJsonArray("extensions").get(0).getAsJsonObject();
		for (String field : new String[] {"name", "description", "author", "homepage", "releases"})
			assertTrue(extension.has(field), field);
		assertEquals(new TesseraExtension().getName(), extension.get("name").getAsString());
		var release = extension.getAsJsonArray("releases").get(0).getAsJsonObject();
		String jar = Path.of(System.getProperty("tessera.test.jar")).getFileName().toString();
		String version = jar.replaceFirst("^qupath-extension-tessera-", "").replaceFirst("\\.jar$", "");
		assertEquals("v" + version, release.get("name").getAsString());
		assertEquals(extension.get("homepage").getAsString() + "/releases/download/v" + version + "/" + jar,
				release.get("main_url").getAsString());
		assertEquals("v0.6.0", release.getAsJsonObject("version_range").get("min").getAsString());
	}
}
