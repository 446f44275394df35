package qupath.ext.tessera;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import qupath.ext.tessera.bridge.ProgressListener;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.TilePredictor;

/**
 * Planned tiles read in batches of bounded size, the next batch read (in parallel, through the
 * image server) while the current one is consumed: memory stays at two batches however large
 * the annotation, and reading overlaps the native work.
 */
final class TileBatches {

	/** Tiles per batch: 1024 tiles of 224 px are 154 MB of RGB. */
	static final int DEFAULT_SIZE = 1024;

	/** Receives one batch. */
	@FunctionalInterface
	interface Consumer {
		/**
		 * @param start index of the batch's first tile in the plan
		 * @param count tiles in the batch
		 * @param pixels their packed RGB pixels, one tile after the other
		 */
		void accept(int start, int count, ByteBuffer pixels);
	}

	private TileBatches() {}

	/**
	 * Reads {@code tiles} batch by batch and hands each batch to {@code consumer}, in order.
	 * @param pixels where the image's pixels come from
	 * @param tiles the tiles
	 * @param downsample full-resolution pixels per tile pixel
	 * @param tileSize tile side in pixels
	 * @param batch tiles per batch
	 * @param consumer what to do with each batch
	 */
	static void forEach(ImagePixels pixels, List<TilePlanner.Tile> tiles, double downsample, int tileSize, int batch,
			Consumer consumer) {
		CompletableFuture<ByteBuffer> next = read(pixels, tiles, 0, batch, downsample, tileSize);
		for (int start = 0; start < tiles.size(); start += batch) {
			ByteBuffer current = join(next);
			int following = start + batch;
			next = following < tiles.size() ? read(pixels, tiles, following, batch, downsample, tileSize) : null;
			consumer.accept(start, Math.min(batch, tiles.size() - start), current);
		}
	}

	/**
	 * Classifies planned tiles batch by batch.
	 * @param predictor the model
	 * @param image where the image's pixels come from
	 * @param plan the tiles, at the model's tile size
	 * @param progress receives progress over all tiles, or null
	 * @param cancel stops between native batches, or null
	 * @return {@code tiles × classes} probabilities, tile by tile
	 */
	static float[] classify(TilePredictor predictor, ImagePixels image, TilePlanner.Plan plan,
			ProgressListener progress, qupath.ext.tessera.bridge.CancellationToken cancel) {
		int n = plan.tiles().size(), k = predictor.classNames().size();
		float[] probabilities = new float[n * k];
		forEach(image, plan.tiles(), plan.downsample(), predictor.tileSize(), DEFAULT_SIZE, (start, count, pixels) -> {
			ProgressListener overall = progress == null ? null
					: (done, total, message) -> progress.onProgress(start + done, n, message);
			float[] batch = predictor.classify(pixels, count, overall, cancel);
			System.arraycopy(batch, 0, probabilities, start * k, count * k);
		});
		return probabilities;
	}

	private static CompletableFuture<ByteBuffer> read(ImagePixels pixels, List<TilePlanner.Tile> tiles, int start, int batch,
			double downsample, int tileSize) {
		var slice = tiles.subList(start, Math.min(tiles.size(), start + batch));
		return CompletableFuture.supplyAsync(() -> pixels.read(slice, downsample, tileSize));
	}

	private static ByteBuffer join(CompletableFuture<ByteBuffer> future) {
		try {
			return future.join();
		} catch (CompletionException e) {
			if (e.getCause() instanceof RuntimeException cause)
				throw cause;
			throw e;
		}
	}
}
