package qupath.lib.objects.hierarchy.events;

import java.util.Collection;
import java.util.Set;

import qupath.lib.objects.PathObject;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.hierarchy.events.PathObjectSelectionModel} (minimal). */
public class PathObjectSelectionModel {

    public PathObjectSelectionModel() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setSelectedObjects(Collection<? extends PathObject> pathObjects, PathObject primarySelectedObject) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void selectObjects(Collection<? extends PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setSelectedObject(PathObject pathObject) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void clearSelection() {
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
