package qupath.ext.tessera;

import java.util.ArrayList;
import java.util.List;

import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.Uncertainty;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.ROIs;

/**
 * Predictions as QuPath tile objects, following QuPath's own convention for tile classifiers (as
 * its WSInfer extension writes them): one tile object per tile, classified by its most probable
 * class, with one measurement per class named by the class and holding its probability. So
 * <i>Measure › Show measurement maps</i> shows each class's probability and <i>Classify › Tiles
 * to annotations</i> merges them. Two more measurements say how unsure the prediction is (see
 * {@link Uncertainty}), for finding where the model hesitates. Each tile also carries the
 * model's file name in its metadata, which is how a later run of Tessera recognises (and
 * replaces) its own results.
 */
final class TileObjects {

	/** The metadata key naming the model that made a result object. */
	static final String MODEL_KEY = "tessera_model";

	private TileObjects() {}

	/**
	 * @param tiles the tiles classified
	 * @param probabilities {@code tiles × classes} values, tile by tile
	 * @param classes class names, in output order
	 * @param colours packed RGB colour of each class
	 * @param plane the image plane of the objects
	 * @param width the image's width: tiles reaching past its right edge are cut there
	 * @param height the image's height: tiles reaching past its bottom edge are cut there
	 * @param model the model's name, recorded in each tile's metadata
	 * @return one tile object per tile
	 */
	static List<PathObject> tiles(List<TilePlanner.Tile> tiles, float[] probabilities, List<String> classes,
			List<Integer> colours, ImagePlane plane, int width, int height, String model) {
		int k = classes.size();
		float[] unsure = Uncertainty.of(probabilities, k);
		var names = Uncertainty.names();
		List<PathObject> objects = new ArrayList<>(tiles.size());
		for (int t = 0; t < tiles.size(); t++) {
			var tile = tiles.get(t);
			int best = 0;
			for (int c = 1; c < k; c++)
				if (probabilities[t * k + c] > probabilities[t * k + best])
					best = c;
			var roi = ROIs.createRectangleROI(tile.x(), tile.y(), Math.min(tile.w(), width - tile.x()),
					Math.min(tile.h(), height - tile.y()), plane);
			PathObject object = PathObjects.createTileObject(roi, PathClass.fromString(classes.get(best), colours.get(best)));
			try (var measurements = object.getMeasurementList()) {
				for (int c = 0; c < k; c++)
					measurements.put(classes.get(c), probabilities[t * k + c]);
				measurements.put(names.entropy(), unsure[2 * t]);
				measurements.put(names.margin(), unsure[2 * t + 1]);
			}
			object.getMetadata().put(MODEL_KEY, model);
			objects.add(object);
		}
		return objects;
	}

	/**
	 * @param object any object
	 * @return whether Tessera added it: a tile it classified, a region it segmented, or a class
	 *         region it merged or segmented
	 */
	static boolean isResult(PathObject object) {
		return object.isDetection() && object.getMetadata().containsKey(MODEL_KEY)
				|| object.isAnnotation() && ClassRegions.isClassRegion(object);
	}
}
