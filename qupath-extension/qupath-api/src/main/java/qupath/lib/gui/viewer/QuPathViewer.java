package qupath.lib.gui.viewer;

import java.awt.image.BufferedImage;

import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.viewer.QuPathViewer} (minimal subset). */
public class QuPathViewer {

    private QuPathViewer() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageData<BufferedImage> getImageData() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathObjectHierarchy getHierarchy() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageServer<BufferedImage> getServer() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean hasServer() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setCenterPixelLocation(double x, double y) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
