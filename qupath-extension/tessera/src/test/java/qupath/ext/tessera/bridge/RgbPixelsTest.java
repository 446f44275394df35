package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BandedSampleModel;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Each raster layout against {@link BufferedImage#getRGB} as the reference. */
class RgbPixelsTest {

	private static final int W = 37, H = 23;

	@ParameterizedTest(name = "type {0}")
	@ValueSource(ints = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_ARGB_PRE,
			BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR,
			BufferedImage.TYPE_4BYTE_ABGR_PRE, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_USHORT_GRAY,
			BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_USHORT_565_RGB})
	void standardTypesMatchGetRgb(int type) {
		var image = new BufferedImage(W, H, type);
		fill(image, new Random(type));
		assertMatchesReference(image);
	}

	@Test
	void bandedBytesAsBioFormatsGivesThemMatchGetRgb() {
		var model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
				Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
		WritableRaster raster = Raster.createWritableRaster(new BandedSampleModel(DataBuffer.TYPE_BYTE, W, H, 3), null);
		var image = new BufferedImage(model, raster, false, null);
		fill(image, new Random(7));
		assertMatchesReference(image);
	}

	@Test
	void subimagesWithOffsetsMatchGetRgb() {
		for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_3BYTE_BGR}) {
			var parent = new BufferedImage(W + 10, H + 10, type);
			fill(parent, new Random(3));
			assertMatchesReference(parent.getSubimage(4, 6, W, H));
		}
	}

	@Test
	void transparentPixelsBecomeWhite() {
		var image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
		image.setRGB(0, 0, 0x00123456);
		image.setRGB(1, 0, 0xFF123456);
		byte[] rgb = RgbPixels.toBytes(image);
		assertEquals(-1, rgb[0]);
		assertEquals(0x12, rgb[3]);
	}

	@Test
	void tooSmallABufferIsRefused() {
		var image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
		assertThrows(InvalidInputException.class, () -> RgbPixels.write(image, ByteBuffer.allocate(47)));
	}

	private static void fill(BufferedImage image, Random random) {
		for (int y = 0; y < image.getHeight(); y++)
			for (int x = 0; x < image.getWidth(); x++)
				image.setRGB(x, y, (random.nextInt(2) == 0 ? 0xFF000000 : random.nextInt(256) << 24) | random.nextInt(0x1000000));
	}

	private static void assertMatchesReference(BufferedImage image) {
		var buffer = ByteBuffer.allocateDirect(3 * W * H + 5);
		buffer.put((byte) 1);
		RgbPixels.write(image, buffer);
		assertEquals(1 + 3 * W * H, buffer.position());
		boolean alpha = image.getColorModel().hasAlpha();
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				int argb = image.getRGB(x, y);
				if (alpha && (argb >>> 24) == 0)
					argb = 0xFFFFFFFF;
				int i = 1 + 3 * (y * W + x);
				String where = "pixel " + x + "," + y + " of type " + image.getType();
				// Premultiplied types: getRGB divides with rounding; allow one step of difference.
				int tolerance = image.isAlphaPremultiplied() ? 1 : 0;
				assertEquals((argb >> 16) & 0xFF, buffer.get(i) & 0xFF, tolerance, where);
				assertEquals((argb >> 8) & 0xFF, buffer.get(i + 1) & 0xFF, tolerance, where);
				assertEquals(argb & 0xFF, buffer.get(i + 2) & 0xFF, tolerance, where);
			}
		}
	}
}
