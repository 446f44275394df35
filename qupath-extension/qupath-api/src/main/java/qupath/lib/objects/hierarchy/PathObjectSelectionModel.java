package qupath.lib.objects.hierarchy;

import java.util.Set;

import qupath.lib.objects.PathObject;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.hierarchy.PathObjectSelectionModel} (minimal). */
public class PathObjectSelectionModel {

    PathObjectSelectionModel() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathObject getSelectedObject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Set<PathObject> getSelectedObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean noSelection() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
