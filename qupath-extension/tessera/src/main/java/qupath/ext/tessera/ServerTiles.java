package qupath.ext.tessera;

import java.awt.Color;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import qupath.ext.tessera.bridge.RgbPixels;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.regions.RegionRequest;

/**
 * Reads planned tiles through a QuPath {@link ImageServer} (any format QuPath opens) into one
 * direct buffer of packed RGB tiles, in parallel. Neighbouring tiles are read together, as one
 * region of at most {@value #BLOCK} px a side cut into its tiles: a server without a tile cache
 * then decodes each of its own tiles about once instead of once per Tessera tile inside it. The
 * parts of tiles that reach past the image's right or bottom edge are white, as glass, like the
 * core's own slide readers give them.
 */
final class ServerTiles {

	/** Side, in tile pixels, of the regions read at once. */
	static final int BLOCK = 512;

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
		blocks(tiles, BLOCK * downsample).parallelStream().forEach(block -> {
			var first = tiles.get(block.get(0));
			long x0 = first.x(), y0 = first.y(), x1 = first.x() + first.w(), y1 = first.y() + first.h();
			for (int i : block) {
				var tile = tiles.get(i);
				x0 = Math.min(x0, tile.x());
				y0 = Math.min(y0, tile.y());
				x1 = Math.max(x1, tile.x() + tile.w());
				y1 = Math.max(y1, tile.y() + tile.h());
			}
			// Tiles at the right and bottom edges reach past the image: read what lies on it, white beyond.
			long onX1 = Math.min(x1, server.getWidth()), onY1 = Math.min(y1, server.getHeight());
			var request = RegionRequest.createInstance(server.getPath(), downsample, (int) x0, (int) y0, (int) (onX1 - x0),
					(int) (onY1 - y0));
			BufferedImage region;
			try {
				region = server.readRegion(request);
			} catch (IOException e) {
				throw new UncheckedIOException("cannot read " + request + " of " + server.getPath(), e);
			}
			if (onX1 < x1 || onY1 < y1)
				region = onWhite(region, Math.round((x1 - x0) / downsample), Math.round((y1 - y0) / downsample));
			for (int i : block) {
				var tile = tiles.get(i);
				RgbPixels.write(cut(region, (tile.x() - x0) / downsample, (tile.y() - y0) / downsample,
						tile.w() / downsample, tile.h() / downsample, tileSize), buffer.slice(i * tileBytes, tileBytes));
			}
		});
		return buffer;
	}

	/** {@code region} at the top left of a white image of {@code width × height} pixels. */
	private static BufferedImage onWhite(BufferedImage region, long width, long height) {
		var out = new BufferedImage((int) Math.max(width, region.getWidth()), (int) Math.max(height, region.getHeight()),
				BufferedImage.TYPE_INT_RGB);
		var graphics = out.createGraphics();
		graphics.setColor(Color.WHITE);
		graphics.fillRect(0, 0, out.getWidth(), out.getHeight());
		graphics.drawImage(region, 0, 0, null);
		graphics.dispose();
		return out;
	}

	/** The tiles' indices grouped by the {@code side × side} full-resolution square their corner lies in. */
	private static List<List<Integer>> blocks(List<TilePlanner.Tile> tiles, double side) {
		Map<Long, List<Integer>> blocks = new LinkedHashMap<>();
		for (int i = 0; i < tiles.size(); i++) {
			var tile = tiles.get(i);
			long key = (long) Math.floor(tile.y() / side) << 32 | (long) Math.floor(tile.x() / side);
			blocks.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
		}
		return List.copyOf(blocks.values());
	}

	/** The part of {@code region} at ({@code x}, {@code y}), {@code w × h} region pixels, as a {@code side²} image. */
	private static BufferedImage cut(BufferedImage region, double x, double y, double w, double h, int side) {
		int left = (int) Math.min(Math.round(x), region.getWidth() - 1), top = (int) Math.min(Math.round(y), region.getHeight() - 1);
		int width = (int) Math.max(1, Math.min(Math.round(w), region.getWidth() - left));
		int height = (int) Math.max(1, Math.min(Math.round(h), region.getHeight() - top));
		return resized(region.getSubimage(left, top, width, height), side);
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
