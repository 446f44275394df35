package qupath.lib.objects;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.PathDetectionObject} (minimal; create instances via PathObjects). */
public class PathDetectionObject extends PathROIObject {

    public PathDetectionObject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public boolean isEditable() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
