package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's fuzz inputs (the bytes tessera-core's tests/fuzz_readers.rs feeds its readers)
 * through the native methods that read those formats, under {@code -Xcheck:jni}, in the test
 * build of the native library (its {@code test-hooks} hand out the inputs): WKB annotations
 * through {@link TilePlanner#plan}, model packages through {@link TilePredictor}, TIFF slides
 * through {@link NativeSlide} (opened, then tiles read). Each call returns or throws the
 * exception it documents, naming the input; none panics and the JVM lives on. GeoJSON has no
 * native entry point: QuPath hands the extension its geometry as WKB.
 */
class ReaderFuzzIT {

	/** Inputs per reader (all that tessera-core's test reads); {@code -Dtessera.fuzz.inputs} changes it. */
	private static final int INPUTS = Integer.getInteger("tessera.fuzz.inputs", 100_000);

	private static final TilePlanner.Spec SPEC = new TilePlanner.Spec(64, null, 1.0, 0, 0.5, null);

	/** Calls that returned and calls that threw, over one reader's inputs. */
	private record Tally(String target, int accepted, int refused) {

		/** Every input was fed, the valid seeds read, and the mutations both read and broke the reader. */
		void check() {
			System.out.println(this);
			assertEquals(INPUTS, accepted + refused);
			assertTrue(accepted > NativeTestHooks.fuzzSeeds(target), this::toString);
			assertTrue(refused > INPUTS / 10, this::toString);
		}
	}

	/** One input read: whether it was accepted. */
	@FunctionalInterface
	private interface Read {
		boolean read(int index, byte[] input) throws IOException;
	}

	@TempDir
	static Path folder;

	@BeforeAll
	static void load() {
		NativeLibrary.ensureLoaded();
	}

	private static Tally fuzz(String target, Read read) throws IOException {
		int seeds = NativeTestHooks.fuzzSeeds(target), accepted = 0;
		for (int i = 0; i < INPUTS; i++) {
			boolean ok = read.read(i, NativeTestHooks.fuzzInput(target, i));
			assertTrue(ok || i >= seeds, target + " seed " + i + " is refused");
			accepted += ok ? 1 : 0;
		}
		return new Tally(target, accepted, INPUTS - accepted);
	}

	@Test
	void wkbAnnotationsArePlannedOrRefused() throws IOException {
		fuzz("wkb", (i, wkb) -> {
			String image = "fuzz-" + i + ".svs";
			try {
				TilePlanner.plan(image, 2000, 2000, 0.5, List.of(new TilePlanner.Region(wkb, "Tumor", "a" + i)), SPEC);
				return true;
			} catch (InvalidInputException e) {
				assertTrue(e.getMessage().contains(image), e::getMessage);
				return false;
			}
		}).check();
	}

	@Test
	void modelPackagesLoadOrAreRefused() throws IOException {
		Path file = folder.resolve("fuzz.tessera");
		fuzz("package", (i, bytes) -> {
			Files.write(file, bytes);
			try (var predictor = new TilePredictor(file, 1)) {
				assertEquals(8, predictor.tileSize());
				return true;
			} catch (IncompatibleModelException e) {
				// The package reader names the file (tessera-core's fuzz test checks it); the
				// predictor's checks of a model that reads name only the problem.
				assertTrue(e.getMessage().startsWith("incompatible model: "), e::getMessage);
				return false;
			}
		}).check();
	}

	@Test
	void slidesOpenAndReadOrAreRefused() throws IOException {
		Path file = folder.resolve("fuzz.tiff");
		ByteBuffer rgb = ByteBuffer.allocateDirect(4 * 16 * 16 * 3);
		fuzz("tiff", (i, bytes) -> {
			Files.write(file, bytes);
			var opened = NativeSlide.open(file, Double.NaN);
			if (opened.isEmpty())
				return false;
			try (var slide = opened.get()) {
				long w = slide.levels().get(0).width(), h = slide.levels().get(0).height();
				var tiles = List.of(tile(0, 0, 24), tile(w - 8, h - 8, 16), tile(-8, -8, 16), tile(w / 3, h / 2, 24));
				try {
					slide.read(tiles, 16, rgb.clear());
				} catch (ImageReadException e) {
					assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
				}
			}
			return true;
		}).check();
	}

	private static TilePlanner.Tile tile(long x, long y, long side) {
		return new TilePlanner.Tile(x, y, side, side, "fuzz", 1, null);
	}
}
