package qupath.lib.objects.hierarchy;

import java.io.Serializable;
import java.util.Collection;

import qupath.lib.objects.PathObject;
import qupath.lib.objects.hierarchy.events.PathObjectSelectionModel;
import qupath.lib.regions.ImageRegion;
import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.hierarchy.PathObjectHierarchy} (subset of members). */
public final class PathObjectHierarchy implements Serializable {

    public PathObjectHierarchy() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isEmpty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathObject getRootObject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathObjectSelectionModel getSelectionModel() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean insertPathObject(PathObject pathObject, boolean fireChangeEvents) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean insertPathObjects(Collection<? extends PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void resolveHierarchy() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean removeObject(PathObject pathObject, boolean keepChildren) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean removeObjectWithoutUpdate(PathObject pathObject, boolean keepChildren) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void removeObjects(Collection<? extends PathObject> pathObjects, boolean keepChildren) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean addObject(PathObject pathObject) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean addObject(PathObject pathObject, boolean fireUpdate) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean addObjectBelowParent(PathObject pathObjectParent, PathObject pathObject, boolean fireUpdate) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean addObjects(Collection<? extends PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void clearAll() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getCellObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getTileObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getDetectionObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAnnotationObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAllObjects(boolean includeRoot) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int nObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void updateObject(PathObject pathObject, boolean isChanging) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAllObjectsForROI(ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAnnotationsForROI(ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getTilesForROI(ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getCellsForROI(ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAllDetectionsForROI(ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAllObjectsForRegion(ImageRegion region, Collection<PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAllObjectsForRegion(ImageRegion region) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAnnotationsForRegion(ImageRegion region, Collection<PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAnnotationsForRegion(ImageRegion region) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAllDetectionsForRegion(ImageRegion region, Collection<PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getAllDetectionsForRegion(ImageRegion region) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void fireObjectMeasurementsChangedEvent(Object source, Collection<? extends PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void fireObjectMeasurementsChangedEvent(Object source, Collection<? extends PathObject> pathObjects, boolean isChanging) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void fireObjectClassificationsChangedEvent(Object source, Collection<? extends PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void fireObjectsChangedEvent(Object source, Collection<? extends PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void fireObjectsChangedEvent(Object source, Collection<? extends PathObject> pathObjects, boolean isChanging) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void fireHierarchyChangedEvent(Object source, PathObject pathObject) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void fireHierarchyChangedEvent(Object source) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public long getEventCount() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
