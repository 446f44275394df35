package qupath.lib.regions;

import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.regions.ImagePlane}. */
public class ImagePlane implements Comparable<ImagePlane> {

    private ImagePlane() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getC() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getZ() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getT() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public int compareTo(ImagePlane o) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImagePlane getPlane(final int z, final int t) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImagePlane getDefaultPlane() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImagePlane getPlaneWithChannel(final ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImagePlane getPlane(final ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImagePlane getPlane(final ImageRegion region) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ImagePlane getPlaneWithChannel(final int c, final int z, final int t) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
