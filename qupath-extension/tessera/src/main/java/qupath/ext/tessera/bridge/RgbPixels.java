package qupath.ext.tessera.bridge;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.Raster;
import java.nio.ByteBuffer;

/**
 * Converts images to the packed 8-bit RGB the native core reads (row-major, 3 bytes a pixel).
 * <p>
 * The common raster layouts (packed int RGB/ARGB, interleaved or banded bytes) are copied straight
 * from their data buffers; anything else goes through {@link BufferedImage#getRGB}. Fully
 * transparent pixels become white, as slide backgrounds are.
 */
public final class RgbPixels {

	private RgbPixels() {}

	/**
	 * Writes {@code image}'s pixels as RGB bytes at {@code target}'s position and advances it by
	 * {@code 3 × width × height}.
	 * @param image the image (any type)
	 * @param target where to write; must have room
	 */
	public static void write(BufferedImage image, ByteBuffer target) {
		int width = image.getWidth(), height = image.getHeight();
		int needed = 3 * width * height;
		if (target.remaining() < needed)
			throw new InvalidInputException("buffer has room for " + target.remaining() + " bytes, the "
					+ width + " × " + height + " image needs " + needed);
		byte[] row = new byte[3 * width];
		Raster raster = image.getRaster();
		switch (image.getType()) {
			case BufferedImage.TYPE_INT_RGB -> packedInts(raster, row, target, false, false);
			case BufferedImage.TYPE_INT_ARGB -> packedInts(raster, row, target, true, false);
			case BufferedImage.TYPE_INT_ARGB_PRE -> packedInts(raster, row, target, true, true);
			default -> {
				if (!interleavedOrBandedBytes(image, row, target))
					viaGetRgb(image, row, target);
			}
		}
	}

	/**
	 * @return the image's pixels as RGB bytes in a new array
	 * @param image the image (any type)
	 */
	public static byte[] toBytes(BufferedImage image) {
		byte[] bytes = new byte[3 * image.getWidth() * image.getHeight()];
		write(image, ByteBuffer.wrap(bytes));
		return bytes;
	}

	private static void packedInts(Raster raster, byte[] row, ByteBuffer target, boolean alpha, boolean premultiplied) {
		int width = raster.getWidth(), height = raster.getHeight();
		var model = (java.awt.image.SinglePixelPackedSampleModel) raster.getSampleModel();
		int[] data = ((DataBufferInt) raster.getDataBuffer()).getData();
		int scanline = model.getScanlineStride();
		int origin = raster.getDataBuffer().getOffset()
				- raster.getSampleModelTranslateY() * scanline - raster.getSampleModelTranslateX();
		for (int y = 0; y < height; y++) {
			int offset = origin + y * scanline;
			for (int x = 0, i = 0; x < width; x++) {
				int argb = data[offset + x];
				if (alpha)
					argb = straightArgb(argb, premultiplied);
				row[i++] = (byte) (argb >> 16);
				row[i++] = (byte) (argb >> 8);
				row[i++] = (byte) argb;
			}
			target.put(row);
		}
	}

	/** Un-premultiplies as {@code getRGB} does, and turns fully transparent pixels white. */
	private static int straightArgb(int argb, boolean premultiplied) {
		int a = argb >>> 24;
		if (a == 0)
			return 0xFFFFFFFF;
		if (!premultiplied || a == 255)
			return argb;
		int r = ((argb >> 16) & 0xFF) * 255 / a;
		int g = ((argb >> 8) & 0xFF) * 255 / a;
		int b = (argb & 0xFF) * 255 / a;
		return (a << 24) | (Math.min(r, 255) << 16) | (Math.min(g, 255) << 8) | Math.min(b, 255);
	}

	/**
	 * Copies 8-bit RGB(A) or BGR(A) layouts stored one byte a sample (interleaved like
	 * {@code TYPE_3BYTE_BGR}, or in separate bands) without colour conversion.
	 * @return false if the layout is not one of those
	 */
	private static boolean interleavedOrBandedBytes(BufferedImage image, byte[] row, ByteBuffer target) {
		Raster raster = image.getRaster();
		if (!(raster.getSampleModel() instanceof ComponentSampleModel model)
				|| !(raster.getDataBuffer() instanceof DataBufferByte buffer)
				|| !(image.getColorModel() instanceof ComponentColorModel colors)
				|| !colors.getColorSpace().isCS_sRGB() || colors.hasAlpha() || raster.getNumBands() != 3)
			return false;
		int width = raster.getWidth(), height = raster.getHeight();
		int pixelStride = model.getPixelStride(), scanline = model.getScanlineStride();
		int[] bandOffsets = model.getBandOffsets(), banks = model.getBankIndices();
		int tx = -raster.getSampleModelTranslateX(), ty = -raster.getSampleModelTranslateY();
		byte[][] data = new byte[3][];
		int[] origin = new int[3];
		for (int band = 0; band < 3; band++) {
			data[band] = buffer.getData(banks[band]);
			origin[band] = buffer.getOffsets()[banks[band]] + bandOffsets[band] + ty * scanline + tx * pixelStride;
		}
		for (int y = 0; y < height; y++) {
			int base = y * scanline;
			for (int x = 0, i = 0; x < width; x++) {
				int p = base + x * pixelStride;
				row[i++] = data[0][origin[0] + p];
				row[i++] = data[1][origin[1] + p];
				row[i++] = data[2][origin[2] + p];
			}
			target.put(row);
		}
		return true;
	}

	private static void viaGetRgb(BufferedImage image, byte[] row, ByteBuffer target) {
		int width = image.getWidth(), height = image.getHeight();
		int[] argbRow = new int[width];
		boolean alpha = image.getColorModel().hasAlpha();
		for (int y = 0; y < height; y++) {
			image.getRGB(0, y, width, 1, argbRow, 0, width);
			for (int x = 0, i = 0; x < width; x++) {
				int argb = alpha && (argbRow[x] >>> 24) == 0 ? 0xFFFFFFFF : argbRow[x];
				row[i++] = (byte) (argb >> 16);
				row[i++] = (byte) (argb >> 8);
				row[i++] = (byte) argb;
			}
			target.put(row);
		}
	}
}
