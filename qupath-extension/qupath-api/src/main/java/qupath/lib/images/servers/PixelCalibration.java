package qupath.lib.images.servers;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.images.servers.PixelCalibration} (subset). */
public class PixelCalibration {

    private PixelCalibration() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PixelCalibration getDefaultInstance() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean hasPixelSizeMicrons() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public double getAveragedPixelSizeMicrons() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public double getPixelWidthMicrons() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public double getPixelHeightMicrons() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Number getPixelWidth() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Number getPixelHeight() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getPixelWidthUnit() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getPixelHeightUnit() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PixelCalibration createScaledInstance(double scaleX, double scaleY) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
