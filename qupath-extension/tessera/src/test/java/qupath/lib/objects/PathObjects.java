package qupath.lib.objects;

import qupath.lib.objects.classes.PathClass;
import qupath.lib.roi.interfaces.ROI;

/** Test double of QuPath's PathObjects factory. */
public class PathObjects {

	public static PathObject createAnnotationObject(ROI roi, PathClass pathClass) {
		return new PathObject(PathObject.Kind.ANNOTATION, roi, pathClass);
	}

	public static PathObject createDetectionObject(ROI roi, PathClass pathClass) {
		return new PathObject(PathObject.Kind.DETECTION, roi, pathClass);
	}

	public static PathObject createTileObject(ROI roi, PathClass pathClass) {
		return new PathObject(PathObject.Kind.TILE, roi, pathClass);
	}
}
