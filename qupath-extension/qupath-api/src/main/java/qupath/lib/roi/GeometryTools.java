package qupath.lib.roi;

import java.util.Collection;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import qupath.lib.regions.ImagePlane;
import qupath.lib.regions.ImageRegion;
import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.roi.GeometryTools} (subset of members). */
public class GeometryTools {

    public static GeometryFactory getDefaultFactory() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ROI geometryToROI(Geometry geometry, ImagePlane plane) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ROI geometryToROI(Geometry geometry) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Geometry roiToGeometry(ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Geometry regionToGeometry(ImageRegion region) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Geometry union(Collection<? extends Geometry> geometries) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
