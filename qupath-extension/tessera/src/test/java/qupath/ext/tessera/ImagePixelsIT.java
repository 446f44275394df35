package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import qupath.ext.tessera.bridge.NativeSlide;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;

/**
 * Where tile pixels come from: the demo SVS (in the repository) read by the native core itself
 * versus read through an image server that decodes it with the JDK's own TIFF and JPEG readers,
 * as QuPath's ImageJ or Bio-Formats servers would.
 */
class ImagePixelsIT {

	private static final Path SVS = Path.of("../../data/demo/CMU-1-Small-Region.svs").toAbsolutePath().normalize();
	private static final int WIDTH = 2220, HEIGHT = 2967;
	private static final double MPP = 0.499;

	private static BufferedImage decoded;

	/** A full-resolution region of the SVS, decoded (once, whole) with the JDK's decoders. */
	private static synchronized BufferedImage readFile(int x, int y, int w, int h) {
		if (decoded == null) {
			try (var input = ImageIO.createImageInputStream(SVS.toFile())) {
				ImageReader reader = ImageIO.getImageReaders(input).next();
				reader.setInput(input);
				decoded = reader.read(0);
				reader.dispose();
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		var region = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
		var graphics = region.createGraphics();
		graphics.setColor(java.awt.Color.WHITE);
		graphics.fillRect(0, 0, w, h);
		graphics.drawImage(decoded, -x, -y, null);
		graphics.dispose();
		return region;
	}

	private static BufferedImage scaled(BufferedImage image, int w, int h) {
		var out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
		var graphics = out.createGraphics();
		graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
		graphics.drawImage(image, 0, 0, w, h, null);
		graphics.dispose();
		return out;
	}

	private static BufferedImage rotated(BufferedImage image) {
		var out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < image.getHeight(); y++)
			for (int x = 0; x < image.getWidth(); x++)
				out.setRGB(image.getWidth() - 1 - x, image.getHeight() - 1 - y, image.getRGB(x, y));
		return out;
	}

	/** The SVS as a QuPath server shows it, or turned by 180° (a server that transforms the file). */
	private static ImageServer<BufferedImage> server(boolean turned) {
		return new TestServer("qupath.lib.images.servers.bioformats.BioFormatsImageServer: " + SVS.toUri(),
				"CMU-1-Small-Region.svs", List.of(SVS.toUri()), WIDTH, HEIGHT, MPP, request -> {
					int x = request.getX(), y = request.getY(), w = request.getWidth(), h = request.getHeight();
					var region = turned ? rotated(readFile(WIDTH - x - w, HEIGHT - y - h, w, h)) : readFile(x, y, w, h);
					int outW = (int) Math.max(1, Math.round(w / request.getDownsample()));
					int outH = (int) Math.max(1, Math.round(h / request.getDownsample()));
					return outW == w && outH == h ? region : scaled(region, outW, outH);
				}, () -> {});
	}

	@Test
	void aJpegTiffShownAsTheFileHoldsItIsReadNativelyWithThePixelsQuPathReads() {
		var server = server(false);
		List<TilePlanner.Tile> tiles = new ArrayList<>();
		for (int i = 0; i < 16; i++)
			tiles.add(new TilePlanner.Tile(300 + 64 * (i % 4), 1200 + 64 * (i / 4), 64, 64, "t", 1, "p"));
		try (var pixels = ImagePixels.of(server)) {
			assertTrue(pixels.slide().isPresent(), "the SVS is read natively");
			ByteBuffer natively = pixels.read(tiles, 1, 64);
			ByteBuffer throughServer = ServerTiles.read(server, tiles, 1, 64);
			long difference = 0;
			int largest = 0;
			for (int i = 0; i < natively.capacity(); i++) {
				int d = Math.abs((natively.get(i) & 0xff) - (throughServer.get(i) & 0xff));
				difference += d;
				largest = Math.max(largest, d);
			}
			double mean = (double) difference / natively.capacity();
			System.out.printf("native vs JDK decoder: mean |difference| %.3f, largest %d (0-255)%n", mean, largest);
			assertTrue(mean < 1.5, "two JPEG decoders of one file agree to rounding: mean " + mean);
		}
	}

	@Test
	void aServerThatTransformsTheFileIsReadThroughQuPath() {
		try (var pixels = ImagePixels.of(server(true))) {
			assertTrue(pixels.slide().isEmpty(), "a server that turns the picture is never bypassed");
		}
	}

	@Test
	void applyingOverTissuePlansTheTilesTheCommandPlans(@TempDir Path dir) {
		String model = TesseraScriptIT.quickModel(dir);
		int expected;
		try (var slide = NativeSlide.open(SVS, MPP).orElseThrow()) {
			assertEquals(List.of(new NativeSlide.Level(WIDTH, HEIGHT, 1.0)), slide.levels());
			var spec = new TilePlanner.Spec(32, null, 1.0, 0, 0.25, null);
			expected = slide.planTissue("CMU-1-Small-Region", spec).tiles().size();
		}
		var imageData = new ImageData<>(server(false), new PathObjectHierarchy());
		int added = Tessera.application(model).apply(imageData);
		assertEquals(expected, added, "the core's tissue plan, as `tessera apply` makes it");

		System.setProperty(ImagePixels.NATIVE_PROPERTY, "false");
		try {
			var viaQuPath = new ImageData<>(server(false), new PathObjectHierarchy());
			int thumbnailPlan = Tessera.application(model).apply(viaQuPath);
			System.out.printf("tissue tiles: %d planned by the core on the file, %d on a thumbnail QuPath reads%n", added,
					thumbnailPlan);
			assertTrue(Math.abs(thumbnailPlan - added) < 0.05 * added, thumbnailPlan + " vs " + added);
		} finally {
			System.clearProperty(ImagePixels.NATIVE_PROPERTY);
		}
	}
}
