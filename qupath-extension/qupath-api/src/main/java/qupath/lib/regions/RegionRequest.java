package qupath.lib.regions;

import java.util.Collection;

import qupath.lib.images.servers.ImageServer;
import qupath.lib.roi.interfaces.ROI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.regions.RegionRequest}. */
public class RegionRequest extends ImageRegion {

    RegionRequest() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(ImageServer<?> server) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(ImageServer<?> server, double downsample) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(String path, double downsample, ROI roi) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(String path, double downsample, Collection<? extends ROI> rois) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(String path, RegionRequest request) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(String path, double downsample, ImageRegion region) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(String path, double downsample, int x, int y, int width, int height, int z, int t) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static RegionRequest createInstance(String path, double downsample, int x, int y, int width, int height) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getPath() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public double getDownsample() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public RegionRequest intersect2D(ImageRegion region) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public RegionRequest updateZ(int z) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public RegionRequest updateT(int t) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public RegionRequest updateDownsample(double downsample) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public RegionRequest updatePath(String path) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public RegionRequest pad2D(int xPad, int yPad) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
