package qupath.lib.images.servers;

import java.io.IOException;

import qupath.lib.regions.RegionRequest;

/** Test double of QuPath's ImageServer. */
public interface ImageServer<T> extends AutoCloseable {
	String getPath();

	int getWidth();

	int getHeight();

	PixelCalibration getPixelCalibration();

	ImageServerMetadata getMetadata();

	java.util.Collection<java.net.URI> getURIs();

	boolean isRGB();

	T readRegion(RegionRequest request) throws IOException;
}
