package qupath.lib.objects;

import qupath.lib.measurements.MeasurementList;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.PathObjects} (overloads confirmed in source only). */
public class PathObjects {

    public static PathObject createAnnotationObject(final ROI roi, final PathClass pathClass, final MeasurementList measurements) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createAnnotationObject(final ROI roi, final PathClass pathClass) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createAnnotationObject(final ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createDetectionObject(final ROI roi, final PathClass pathClass, final MeasurementList measurements) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createDetectionObject(final ROI roi, final PathClass pathClass) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createDetectionObject(final ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createTileObject(final ROI roi, final PathClass pathClass, final MeasurementList measurements) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createTileObject(final ROI roi, final PathClass pathClass) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createTileObject(final ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObject createCellObject(final ROI roiCell, final ROI roiNucleus, final PathClass pathClass, final MeasurementList measurements) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
