package qupath.lib.objects;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.PathAnnotationObject} (minimal; create instances via PathObjects). */
public class PathAnnotationObject extends PathROIObject {

    public PathAnnotationObject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public boolean isEditable() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
