package qupath.ext.tessera;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.locationtech.jts.io.WKBWriter;

import qupath.ext.tessera.bridge.TilePlanner;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.classes.PathClass;

/**
 * QuPath annotations as the native core reads them: polygons as WKB, class names, ids. The
 * annotations themselves are only read, never changed.
 */
final class Annotations {

	private Annotations() {}

	/**
	 * @param annotations QuPath objects; those without an area ROI (points, lines) and the class
	 *        regions Tessera itself added (see {@link ClassRegions}) are left out
	 * @param className the class to give every region, or null to use each object's own class
	 * @return one region per area object, in the given order
	 */
	static List<TilePlanner.Region> regions(Collection<PathObject> annotations, String className) {
		var writer = new WKBWriter();
		List<TilePlanner.Region> regions = new ArrayList<>();
		for (PathObject annotation : annotations) {
			var roi = annotation.getROI();
			if (roi == null || !roi.isArea() || ClassRegions.isClassRegion(annotation))
				continue;
			String name = className != null ? className : classOf(annotation.getPathClass());
			regions.add(new TilePlanner.Region(writer.write(roi.getGeometry()), name, annotation.getID().toString()));
		}
		return regions;
	}

	private static String classOf(PathClass pathClass) {
		return pathClass == null || pathClass == PathClass.getNullClass() ? null : pathClass.toString();
	}
}
