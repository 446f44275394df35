package qupath.ext.tessera;

import java.util.ArrayList;
import java.util.List;

import qupath.ext.tessera.bridge.TilePlanner;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.ROIs;

/**
 * Predictions as QuPath detections: one per tile, classified by its most probable class, with a
 * {@code Tessera: <class> probability} measurement per class.
 */
final class TileObjects {

	/** Prefix of the probability measurements. */
	static final String MEASUREMENT_PREFIX = "Tessera: ";

	private TileObjects() {}

	/**
	 * @param tiles the tiles classified
	 * @param probabilities {@code tiles × classes} values, tile by tile
	 * @param classes class names, in output order
	 * @param colours packed RGB colour of each class
	 * @param plane the image plane of the objects
	 * @return one detection per tile
	 */
	static List<PathObject> detections(List<TilePlanner.Tile> tiles, float[] probabilities, List<String> classes,
			List<Integer> colours, ImagePlane plane) {
		int k = classes.size();
		List<PathObject> objects = new ArrayList<>(tiles.size());
		for (int t = 0; t < tiles.size(); t++) {
			var tile = tiles.get(t);
			int best = 0;
			for (int c = 1; c < k; c++)
				if (probabilities[t * k + c] > probabilities[t * k + best])
					best = c;
			var roi = ROIs.createRectangleROI(tile.x(), tile.y(), tile.w(), tile.h(), plane);
			PathObject detection = PathObjects.createDetectionObject(roi, PathClass.fromString(classes.get(best), colours.get(best)));
			try (var measurements = detection.getMeasurementList()) {
				for (int c = 0; c < k; c++)
					measurements.put(MEASUREMENT_PREFIX + classes.get(c) + " probability", probabilities[t * k + c]);
			}
			objects.add(detection);
		}
		return objects;
	}
}
