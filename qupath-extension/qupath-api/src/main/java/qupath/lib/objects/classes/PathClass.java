package qupath.lib.objects.classes;

import java.io.Serializable;
import java.util.Collection;
import java.util.Set;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.objects.classes.PathClass} (subset of members). */
public final class PathClass implements Comparable<PathClass>, Serializable {

    private PathClass() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathClass getParentClass() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isDerivedClass() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isDerivedFrom(PathClass parentClass) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathClass getBaseClass() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setColor(Integer colorRGB) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setColor(int red, int green, int blue) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Integer getColor() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getName() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public String toString() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String toString(String delimiter) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isValid() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Set<String> toSet() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public int compareTo(PathClass o) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass getNullClass() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass fromString(String string) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass fromString(String string, Integer color) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass fromCollection(Collection<String> names) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass fromCollection(Collection<String> names, Integer color) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass getInstance(String name) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass getInstance(String name, Integer color) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass getInstance(PathClass parent, String name, Integer color) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass getSingleton(PathClass pathClass) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathClass fromArray(String... names) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
