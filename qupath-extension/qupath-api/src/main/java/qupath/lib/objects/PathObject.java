package qupath.lib.objects;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import qupath.lib.measurements.MeasurementList;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.PathObject} (subset of members). */
public abstract class PathObject implements Externalizable {

    public PathObject(MeasurementList measurements) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathObject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathObject getParent() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setLocked(boolean locked) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isLocked() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getLevel() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isRootObject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public MeasurementList getMeasurementList() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Map<String, String> getMetadata() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Map<String, Double> getMeasurements() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void addChildObject(PathObject pathObject) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void addChildObjects(Collection<? extends PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void removeChildObject(PathObject pathObject) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void removeChildObjects(Collection<PathObject> pathObjects) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void clearChildObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int nChildObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean hasChildObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean hasROI() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isAnnotation() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isDetection() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isCell() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean hasMeasurements() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isTMACore() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isTile() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public abstract boolean isEditable();

    public Collection<PathObject> getChildObjects() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Collection<PathObject> getDescendantObjects(Collection<PathObject> descendants) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public abstract PathClass getPathClass();

    public void setPathClass(PathClass pc) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean resetPathClass() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setClassifications(Collection<String> classifications) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Set<String> getClassifications() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public abstract void setPathClass(PathClass pathClass, double classProbability);

    public abstract double getClassProbability();

    public String getDisplayedName() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getName() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setName(String name) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public abstract ROI getROI();

    public Integer getColor() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setColor(Integer color) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public UUID getID() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setID(UUID id) throws IllegalArgumentException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
