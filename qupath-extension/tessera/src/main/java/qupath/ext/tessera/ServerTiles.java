package qupath.ext.tessera;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.IntStream;

import qupath.ext.tessera.bridge.RgbPixels;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.regions.RegionRequest;

/**
 * Reads planned tiles through a QuPath {@link ImageServer} (any format QuPath opens) into one
 * direct buffer of packed RGB tiles, in parallel.
 */
final class ServerTiles {

	private ServerTiles() {}

	/**
	 * @param server the image
	 * @param tiles the tiles, in full-resolution pixels
	 * @param downsample full-resolution pixels per tile pixel
	 * @param tileSize tile side in pixels (regions are resized to it when rounding differs)
	 * @return the tiles' pixels, one after the other, ready for the native core
	 * @throws UncheckedIOException if a region cannot be read
	 */
	static ByteBuffer read(ImageServer<BufferedImage> server, List<TilePlanner.Tile> tiles, double downsample, int tileSize) {
		int tileBytes = 3 * tileSize * tileSize;
		ByteBuffer buffer = ByteBuffer.allocateDirect(tiles.size() * tileBytes);
		IntStream.range(0, tiles.size()).parallel().forEach(i -> {
			var tile = tiles.get(i);
			var request = RegionRequest.createInstance(server.getPath(), downsample, (int) tile.x(), (int) tile.y(),
					(int) tile.w(), (int) tile.h());
			try {
				RgbPixels.write(resized(server.readRegion(request), tileSize), buffer.slice(i * tileBytes, tileBytes));
			} catch (IOException e) {
				throw new UncheckedIOException("cannot read " + request + " of " + server.getPath(), e);
			}
		});
		return buffer;
	}

	private static BufferedImage resized(BufferedImage image, int side) {
		if (image.getWidth() == side && image.getHeight() == side)
			return image;
		var out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
		var graphics = out.createGraphics();
		graphics.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
		graphics.drawImage(image, 0, 0, side, side, null);
		graphics.dispose();
		return out;
	}
}
