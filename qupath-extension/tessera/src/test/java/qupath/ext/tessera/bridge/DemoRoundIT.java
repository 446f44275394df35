package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo round ({@link DemoRound}) on Linux: the same program runs in a Windows Java under Wine
 * (scripts/cross/windows.sh --run), where its summary is compared with this one.
 */
class DemoRoundIT {

	private static final Path DEMO = Path.of("../../data/demo").toAbsolutePath().normalize();

	@Test
	void trainsOnTheDemoAnnotationsAndClassifiesItsTissue(@TempDir Path dir) throws Exception {
		var summary = DemoRound.run(DEMO.resolve("CMU-1-Small-Region.svs"),
				DEMO.resolve("CMU-1-Small-Region.annotations.geojson"), dir);
		var classes = Set.of("Background", "Epithelium", "Stroma");
		assertEquals(classes, summary.getAsJsonObject("training_tiles").keySet(), summary.toString());
		double f1 = summary.get("cross_validation_mean_macro_f1").getAsDouble();
		assertTrue(f1 > 0.5, DemoRound.EPOCHS + " epochs must beat chance among three classes: " + summary);
		int detected = summary.getAsJsonObject("detections").entrySet().stream().mapToInt(e -> e.getValue().getAsInt()).sum();
		assertEquals(summary.get("tissue_tiles").getAsInt(), detected);
		assertTrue(detected > 50, summary.toString());
	}
}
