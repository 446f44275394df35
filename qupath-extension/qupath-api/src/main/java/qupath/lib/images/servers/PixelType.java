package qupath.lib.images.servers;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.images.servers.PixelType}. */
public enum PixelType {
    UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, FLOAT64;

    public int getBitsPerPixel() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getBytesPerPixel() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Number getLowerBound() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Number getUpperBound() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isSignedInteger() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isUnsignedInteger() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isFloatingPoint() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
