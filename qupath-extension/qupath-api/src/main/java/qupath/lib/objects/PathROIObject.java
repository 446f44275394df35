package qupath.lib.objects;

import qupath.lib.objects.classes.PathClass;
import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.PathROIObject} (minimal; needed as superclass). */
public abstract class PathROIObject extends PathObject {

    public PathROIObject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public PathClass getPathClass() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void setPathClass(PathClass pathClass, double classProbability) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public double getClassProbability() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public ROI getROI() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
