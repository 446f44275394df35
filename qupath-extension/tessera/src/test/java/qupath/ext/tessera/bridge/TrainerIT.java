package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.Gson;
import com.google.gson.JsonObject;

/** Training in the native core on pixels pushed from Java, as the QuPath extension does. */
class TrainerIT {

	private static final int SIDE = 32, GROUPS_PER_CLASS = 6, TILES_PER_GROUP = 8;

	/** Reddish tiles (class 0) and bluish tiles (class 1) with noise, one group per "polygon". */
	private static TileStore store(List<String> classes) {
		var store = new TileStore(SIDE, classes);
		var random = new Random(1);
		int tiles = classes.size() * GROUPS_PER_CLASS * TILES_PER_GROUP;
		ByteBuffer rgb = ByteBuffer.allocateDirect(tiles * SIDE * SIDE * 3);
		int[] labels = new int[tiles];
		long[] groups = new long[tiles];
		for (int t = 0; t < tiles; t++) {
			labels[t] = t / (GROUPS_PER_CLASS * TILES_PER_GROUP);
			groups[t] = t / TILES_PER_GROUP;
			for (int p = 0; p < SIDE * SIDE; p++) {
				int noise = random.nextInt(60);
				boolean red = labels[t] == 0;
				rgb.put((byte) (red ? 180 + noise : 60 + noise));
				rgb.put((byte) (90 + noise));
				rgb.put((byte) (red ? 60 + noise : 180 + noise));
			}
		}
		store.add(rgb.flip(), labels, groups);
		assertEquals(tiles, store.size());
		return store;
	}

	private static Trainer.Request request(int folds) {
		return new Trainer.Request("colours", new TilePlanner.Spec(SIDE, null, 1.0, 0, 0.5, null), 3, folds, 7,
				List.of("synthetic"), "polygon");
	}

	@Test
	void trainsAndWritesAPackageWithItsMetrics(@TempDir Path dir) throws Exception {
		Path model = dir.resolve("colours.tessera");
		JsonObject metrics;
		try (var store = store(List.of("Red", "Blue"))) {
			metrics = Trainer.train(store, request(2), model, null, null);
		}
		var cv = metrics.getAsJsonObject("cross_validation");
		assertEquals(2, cv.getAsJsonArray("folds").size());
		assertTrue(cv.get("mean_macro_f1").getAsDouble() > 0.9, "an easy problem must be learnt: " + cv);
		try (var zip = new ZipFile(model.toFile())) {
			var metadata = new Gson().fromJson(new String(zip.getInputStream(zip.getEntry("tessera.json")).readAllBytes()),
					JsonObject.class);
			assertEquals(metrics, metadata.get("metrics"));
			assertEquals("Red", metadata.getAsJsonArray("classes").get(0).getAsJsonObject().get("name").getAsString());
			assertTrue(zip.getEntry("model.onnx").getSize() > 1000);
		}
		// The package classifies new tiles pushed from Java.
		try (var predictor = new TilePredictor(model, 1)) {
			assertEquals(List.of("Red", "Blue"), predictor.classNames());
			assertEquals(SIDE, predictor.tileSize());
			ByteBuffer tiles = ByteBuffer.allocateDirect(2 * SIDE * SIDE * 3);
			for (int t = 0; t < 2; t++)
				for (int p = 0; p < SIDE * SIDE; p++)
					tiles.put((byte) (t == 0 ? 210 : 90)).put((byte) 120).put((byte) (t == 0 ? 90 : 210));
			float[] probabilities = predictor.classify(tiles.flip(), 2, null, null);
			assertEquals(4, probabilities.length);
			assertTrue(probabilities[0] > probabilities[1], "a red tile is Red");
			assertTrue(probabilities[3] > probabilities[2], "a blue tile is Blue");
			assertTrue(predictor.deviceWarning().isEmpty());
			// Asking for CUDA with the CPU-only ONNX Runtime runs on the CPU, says why, and agrees.
			try (var cuda = new TilePredictor(model, 1, "cuda")) {
				var warning = cuda.deviceWarning().orElseThrow();
				assertTrue(warning.contains("cuda:0 requested") && warning.contains("CPU"), warning);
				assertArrayEquals(probabilities, cuda.classify(tiles.rewind(), 2, null, null));
			}
		}
		// The package carries an int8 model that passed its accuracy guard on this easy problem:
		// auto and int8 run it, fp32 runs the float model, and they agree on new tiles.
		try (var zip = new ZipFile(model.toFile())) {
			var metadata = new Gson().fromJson(new String(zip.getInputStream(zip.getEntry("tessera.json")).readAllBytes()),
					JsonObject.class);
			var int8 = metadata.getAsJsonObject("quantization");
			assertTrue(int8.get("accepted").getAsBoolean(), int8.toString());
			assertTrue(zip.getEntry("model.int8.onnx").getSize() > 100);
		}
		ByteBuffer unseen = ByteBuffer.allocateDirect(2 * SIDE * SIDE * 3);
		for (int t = 0; t < 2; t++)
			for (int p = 0; p < SIDE * SIDE; p++)
				unseen.put((byte) (t == 0 ? 200 : 70)).put((byte) 100).put((byte) (t == 0 ? 70 : 200));
		try (var auto = new TilePredictor(model, 1, "cpu", "auto"); var float32 = new TilePredictor(model, 1, "cpu", "fp32")) {
			var chosen = auto.precision();
			assertTrue(chosen.int8() && chosen.warning().isEmpty(), chosen.toString());
			assertTrue(chosen.reason().startsWith("int8 model: agrees with the float model"), chosen.reason());
			assertFalse(float32.precision().int8());
			float[] fast = auto.classify(unseen.rewind(), 2, null, null);
			float[] exact = float32.classify(unseen.rewind(), 2, null, null);
			assertTrue(fast[0] > fast[1] && exact[0] > exact[1] && fast[3] > fast[2] && exact[3] > exact[2],
					Arrays.toString(fast) + " vs " + Arrays.toString(exact));
		}
		var precision = assertThrows(InvalidInputException.class, () -> new TilePredictor(model, 1, "cpu", "bf16"));
		assertTrue(precision.getMessage().contains("bf16") && precision.getMessage().contains("auto, fp32 or int8"),
				precision.getMessage());
		var e = assertThrows(InvalidInputException.class, () -> new TilePredictor(model, 1, "tpu"));
		assertTrue(e.getMessage().contains("tpu"), e.getMessage());
		var notAModel = dir.resolve("not-a-model.tessera");
		Files.writeString(notAModel, "PK\u0003\u0004 but not a zip");
		assertThrows(TesseraException.class, () -> new TilePredictor(notAModel, 1));
	}

	@Test
	void cancellingLeavesNoModelFile(@TempDir Path dir) throws Exception {
		Path model = dir.resolve("cancelled.tessera");
		try (var store = store(List.of("Red", "Blue")); var token = new CancellationToken()) {
			assertThrows(CancelledException.class, () -> Trainer.train(store, request(0), model,
					(done, total, message) -> token.cancel(), token));
		}
		assertFalse(Files.exists(model));
		try (var files = Files.list(dir)) {
			assertEquals(0, files.count(), "no temporary file may be left behind");
		}
	}

	@Test
	void aSingleClassIsRefused(@TempDir Path dir) {
		try (var store = store(List.of("Red"))) {
			var e = assertThrows(InvalidInputException.class, () -> Trainer.train(store, request(0), dir.resolve("m.tessera"), null, null));
			assertTrue(e.getMessage().toLowerCase().contains("class"), e.getMessage());
		}
	}
}
