package qupath.lib.images.servers;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.images.servers.ImageServerMetadata} (minimal subset). */
public class ImageServerMetadata {

    ImageServerMetadata() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getName() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getWidth() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getHeight() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getSizeC() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getSizeZ() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getSizeT() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isRGB() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PixelType getPixelType() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PixelCalibration getPixelCalibration() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public double[] getPreferredDownsamplesArray() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getPreferredTileWidth() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int getPreferredTileHeight() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
