package qupath.lib.roi;

import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.roi.ROIs} (subset of members). */
public class ROIs {

    public static ROI createRectangleROI(double x, double y, double width, double height, ImagePlane plane) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ROI createPolygonROI(double[] x, double[] y, ImagePlane plane) throws IllegalArgumentException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
