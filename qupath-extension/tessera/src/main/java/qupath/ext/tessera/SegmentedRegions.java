package qupath.ext.tessera;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.Polygonal;
import org.locationtech.jts.geom.util.PolygonExtracter;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;

import qupath.ext.tessera.bridge.CancellationToken;
import qupath.ext.tessera.bridge.CancelledException;
import qupath.ext.tessera.bridge.InternalException;
import qupath.ext.tessera.bridge.ProgressListener;
import qupath.ext.tessera.bridge.Segmenter;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.TilePredictor;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.GeometryTools;

/**
 * A segmentation package's regions as QuPath objects: the plan's tiles read through QuPath in
 * the core's order, fed to a {@link Segmenter}, and each traced region made an annotation
 * (named {@code Tessera: <class>}, like merged class regions, so that Tessera never takes it for
 * one the user drew) or a detection (carrying the model's name in its metadata), cut to the
 * region it was applied inside. Either way a later application recognises and replaces it.
 */
final class SegmentedRegions {

	/** Tiles per batch read and fed: progress and cancellation between batches. */
	private static final int BATCH = 128;

	private SegmentedRegions() {}

	/**
	 * What to make of the regions.
	 * @param detections true for detections, false for annotations
	 * @param tracing how outlines are traced
	 * @param pixelSizeMicrons the image's pixel size, NaN when it has none
	 * @param model the model's name, recorded in each detection's metadata
	 * @param heatmaps the folder each class's heatmap is written into as {@code <class>.png}, or null for none
	 */
	record Output(boolean detections, Segmenter.Tracing tracing, double pixelSizeMicrons, String model, Path heatmaps) {}

	/**
	 * @param predictor a segmentation package
	 * @param pixels where the image's pixels come from
	 * @param plan the tiles, at the model's tile size
	 * @param plane the objects' image plane
	 * @param within the geometry the regions are cut to, or null for none
	 * @param output what to make
	 * @param progress receives progress over the tiles, or null
	 * @param cancel stops between batches, or null
	 * @return one object per region, class by class
	 * @throws CancelledException if cancelled
	 */
	static List<PathObject> objects(TilePredictor predictor, ImagePixels pixels, TilePlanner.Plan plan, ImagePlane plane,
			Geometry within, Output output, ProgressListener progress, CancellationToken cancel) {
		List<Segmenter.Region> regions;
		try (var segmenter = new Segmenter(predictor, plan)) {
			List<TilePlanner.Tile> ordered = new ArrayList<>();
			for (int index : segmenter.order())
				ordered.add(plan.tiles().get(index));
			int n = ordered.size();
			TileBatches.forEach(pixels, ordered, plan.downsample(), predictor.tileSize(), BATCH, (start, count, rgb) -> {
				if (cancel != null && cancel.isCancelled())
					throw new CancelledException("cancelled");
				segmenter.add(rgb, count);
				if (progress != null)
					progress.onProgress(start + count, n, "Segmenting");
			});
			regions = segmenter.finish(output.tracing(), output.pixelSizeMicrons(), output.heatmaps());
		}
		var names = predictor.classNames();
		var colours = predictor.classColours();
		var reader = new WKBReader();
		List<PathObject> objects = new ArrayList<>();
		for (var region : regions) {
			Geometry geometry = polygonal(read(reader, region.wkb()));
			if (within != null)
				geometry = polygonal(geometry.intersection(within));
			if (geometry.isEmpty())
				continue;
			var roi = GeometryTools.geometryToROI(geometry, plane);
			int c = names.indexOf(region.className());
			var pathClass = PathClass.fromString(region.className(), c >= 0 ? colours.get(c) : null);
			PathObject object;
			if (output.detections()) {
				object = PathObjects.createDetectionObject(roi, pathClass);
				object.getMetadata().put(TileObjects.MODEL_KEY, output.model());
			} else {
				object = PathObjects.createAnnotationObject(roi, pathClass);
				object.setName(ClassRegions.NAME_PREFIX + region.className());
			}
			objects.add(object);
		}
		return objects;
	}

	private static Geometry read(WKBReader reader, byte[] wkb) {
		try {
			return reader.read(wkb);
		} catch (ParseException e) {
			throw new InternalException("the native core traced a region JTS cannot read: " + e.getMessage());
		}
	}

	/** The polygons of {@code geometry} (an intersection may add lines and points where edges touch). */
	private static Geometry polygonal(Geometry geometry) {
		if (geometry instanceof Polygonal)
			return geometry;
		return geometry.getFactory().buildGeometry(PolygonExtracter.getPolygons(geometry));
	}
}
