package qupath.lib.images.servers;

import java.io.IOException;
import java.net.URI;
import java.util.Collection;

import qupath.lib.regions.RegionRequest;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.images.servers.ImageServer} (subset of members). */
public interface ImageServer<T> extends AutoCloseable {

    String getPath();

    Collection<URI> getURIs();

    double[] getPreferredDownsamples();

    int nResolutions();

    double getDownsampleForResolution(int level);

    int getWidth();

    int getHeight();

    int nChannels();

    boolean isRGB();

    int nZSlices();

    int nTimepoints();

    default PixelCalibration getPixelCalibration() {
        return null;
    }

    default T readRegion(RegionRequest request) throws IOException {
        return null;
    }

    default T readRegion(double downsample, int x, int y, int width, int height, int z, int t) throws IOException {
        return null;
    }

    default T readRegion(double downsample, int x, int y, int width, int height) throws IOException {
        return null;
    }

    String getServerType();

    PixelType getPixelType();

    ImageServerMetadata getMetadata();

    ImageServerMetadata getOriginalMetadata();

    Class<T> getImageClass();
}
