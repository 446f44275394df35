package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.util.Comparator;
import java.util.List;

import org.slf4j.LoggerFactory;

import qupath.ext.tessera.bridge.TilePlanner;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;

/**
 * The tiles inside an image's classified annotations, each labelled with its annotation's class:
 * what training, evaluation and tile export read.
 * @param name the image's name
 * @param imageData the image
 * @param plan the planned tiles
 */
record LabelledTiles(String name, ImageData<BufferedImage> imageData, TilePlanner.Plan plan) {

	/**
	 * Plans the tiles of every classified area annotation of {@code imageData}. A tile covered as
	 * much by two annotations of different classes goes to the one listed first; the review objects
	 * the user classified are listed first, so that a correction (a review tile given another class
	 * inside a larger annotation) is what the tile is labelled with.
	 * @param name the image's name (for messages and provenance)
	 * @param imageData the image
	 * @param spec tile size, resolution, overlap, minimum coverage
	 * @return the plan
	 */
	static LabelledTiles plan(String name, ImageData<BufferedImage> imageData, TilePlanner.Spec spec) {
		var server = imageData.getServer();
		List<PathObject> annotations = imageData.getHierarchy().getAnnotationObjects().stream()
				.sorted(Comparator.comparing(a -> !ReviewObjects.isReviewObject(a))).toList();
		var regions = Annotations.regions(annotations, null);
		var plan = TilePlanner.plan(name, server.getWidth(), server.getHeight(),
				Tessera.pixelSizeMicrons(server), regions, spec);
		plan.warnings().forEach(warning -> LoggerFactory.getLogger(LabelledTiles.class).warn("Tessera: {}", warning));
		return new LabelledTiles(name, imageData, plan);
	}

	/** @return the tiles' class names, in tile order */
	List<String> labels() {
		return plan.tiles().stream().map(TilePlanner.Tile::label).toList();
	}

	/**
	 * Reads the tiles batch by batch (see {@link TileBatches}).
	 * @param consumer receives each batch
	 */
	void read(TileBatches.Consumer consumer) {
		try (var pixels = ImagePixels.of(imageData.getServer())) {
			TileBatches.forEach(pixels, plan.tiles(), plan.downsample(), plan.tileSize(), TileBatches.DEFAULT_SIZE, consumer);
		}
	}
}
