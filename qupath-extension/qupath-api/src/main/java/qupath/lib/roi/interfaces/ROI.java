package qupath.lib.roi.interfaces;

import java.awt.Shape;

import org.locationtech.jts.geom.Geometry;
import qupath.lib.images.servers.PixelCalibration;
import qupath.lib.regions.ImagePlane;
import qupath.lib.regions.ImageRegion;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.roi.interfaces.ROI} (subset of members). */
public interface ROI {

    String getRoiName();

    int getC();

    int getT();

    int getZ();

    ImagePlane getImagePlane();

    double getCentroidX();

    double getCentroidY();

    double getBoundsX();

    double getBoundsY();

    double getBoundsWidth();

    double getBoundsHeight();

    int getNumPoints();

    boolean isEmpty();

    Shape getShape();

    Geometry getGeometry();

    /** Mirrors {@code ROI.RoiType}. */
    enum RoiType {
        AREA, LINE, POINT
    }

    RoiType getRoiType();

    boolean isLine();

    boolean isArea();

    boolean isPoint();

    ROI translate(double dx, double dy);

    ROI scale(double scaleX, double scaleY, double originX, double originY);

    default ROI scale(double scaleX, double scaleY) {
        return null;
    }

    double getArea();

    double getScaledArea(double pixelWidth, double pixelHeight);

    default double getScaledArea(PixelCalibration cal) {
        return Double.NaN;
    }

    double getLength();

    double getScaledLength(double pixelWidth, double pixelHeight);

    ROI getConvexHull();

    double getSolidity();

    boolean contains(double x, double y);

    default boolean intersects(ImageRegion region) {
        return false;
    }

    boolean intersects(double x, double y, double width, double height);

    ROI updatePlane(ImagePlane plane);
}
