package qupath.lib.objects;

import qupath.lib.objects.classes.PathClass;
import qupath.lib.roi.interfaces.ROI;

/** Test double of QuPath's PathObjects factory. */
public class PathObjects {

	public static PathObject createAnnotationObject(ROI roi, PathClass pathClass) {
		return new PathObject(false, roi, pathClass);
	}

	public static PathObject createDetectionObject(ROI roi, PathClass pathClass) {
		return new PathObject(true, roi, pathClass);
	}
}
