package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.RasterFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import qupath.ext.tessera.bridge.TilePlanner;

/** Batches read ahead through the image server add up to one whole read, in order. */
class TileBatchesTest {

	private static List<TilePlanner.Tile> grid(int side, int tile) {
		List<TilePlanner.Tile> tiles = new ArrayList<>();
		for (int y = 0; y + tile <= side; y += tile)
			for (int x = 0; x + tile <= side; x += tile)
				tiles.add(new TilePlanner.Tile(x, y, tile, tile, "Red", 1.0, "a"));
		return tiles;
	}

	@Test
	void batchesConcatenateToTheWholeRead() {
		var server = RedBlueImage.imageData(RedBlueImage.image()).getServer();
		var tiles = grid(RedBlueImage.SIZE, 32);
		assertEquals(256, tiles.size());
		ByteBuffer whole = ServerTiles.read(server, tiles, 1, 32);
		ByteBuffer joined = ByteBuffer.allocate(whole.capacity());
		List<int[]> seen = new ArrayList<>();
		TileBatches.forEach(ImagePixels.of(server), tiles, 1, 32, 100, (start, count, pixels) -> {
			seen.add(new int[] {start, count});
			joined.put(pixels.slice(0, count * 3 * 32 * 32));
		});
		assertEquals(List.of(List.of(0, 100), List.of(100, 100), List.of(200, 56)),
				seen.stream().map(s -> List.of(s[0], s[1])).toList());
		assertEquals(whole.rewind(), joined.flip());
	}

	@Test
	void aFailedReadStopsWithItsError() {
		var server = RedBlueImage.imageData(RedBlueImage.image()).getServer();
		var tiles = new ArrayList<>(grid(RedBlueImage.SIZE, 32));
		tiles.add(new TilePlanner.Tile(RedBlueImage.SIZE, 0, 32, 32, "Red", 1.0, "a"));
		// The server's own error for the tile outside the image arrives unwrapped, after the batches before it.
		List<Integer> consumed = new ArrayList<>();
		assertThrows(RasterFormatException.class,
				() -> TileBatches.forEach(ImagePixels.of(server), tiles, 1, 32, 100, (start, count, pixels) -> consumed.add(start)));
		assertEquals(List.of(0, 100), consumed);
	}
}
