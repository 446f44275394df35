package qupath.lib.common;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.common.Version}. */
public class Version implements Comparable<Version> {

    /** Mirrors {@code Version.UNKNOWN}; null here because this module never runs. */
    public static final Version UNKNOWN = null;

    private Version() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Version parse(String versionString) throws IllegalArgumentException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getMajor() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getMinor() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getPatch() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getSuffix() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean hasSuffix() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public String toString() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public int compareTo(Version o) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
