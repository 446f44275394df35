package qupath.lib.regions;

import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.regions.ImageRegion} (minimal subset). */
public class ImageRegion {

    ImageRegion() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImageRegion createInstance(final int x, final int y, final int width, final int height, final int z, final int t) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImageRegion createInstance(final ROI pathROI) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean intersects(final ImageRegion request) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean intersects(final double x2, final double y2, final double w2, final double h2) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getX() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getY() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getWidth() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getHeight() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getZ() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getT() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getMinX() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getMinY() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getMaxX() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getMaxY() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
