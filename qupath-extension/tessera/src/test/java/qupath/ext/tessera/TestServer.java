package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import qupath.lib.images.servers.ImageServer;
import qupath.lib.images.servers.ImageServerMetadata;
import qupath.lib.images.servers.PixelCalibration;
import qupath.lib.regions.RegionRequest;

/**
 * An RGB image server for the tests, shaped like QuPath's: an internal path (not a name), the
 * name QuPath shows, the file it reads (if any), a size, a pixel size and the pixels of a region.
 * @param path the server's internal id, as {@code ImageServer.getPath()} gives it in QuPath
 * @param name the name QuPath shows (the project entry's, or the file's)
 * @param uris the files the pixels come from
 * @param width full-resolution width
 * @param height full-resolution height
 * @param micronsPerPixel pixel size
 * @param reader the pixels of a request
 * @param onClose run when the server is closed
 */
public record TestServer(String path, String name, List<URI> uris, int width, int height, double micronsPerPixel,
		Function<RegionRequest, BufferedImage> reader, Runnable onClose) implements ImageServer<BufferedImage> {

	@Override
	public String getPath() {
		return path;
	}

	@Override
	public int getWidth() {
		return width;
	}

	@Override
	public int getHeight() {
		return height;
	}

	@Override
	public ImageServerMetadata getMetadata() {
		return new ImageServerMetadata.Builder().name(name).build();
	}

	@Override
	public Collection<URI> getURIs() {
		return uris;
	}

	@Override
	public boolean isRGB() {
		return true;
	}

	@Override
	public PixelCalibration getPixelCalibration() {
		return new PixelCalibration.Builder().pixelSizeMicrons(micronsPerPixel, micronsPerPixel).build();
	}

	@Override
	public BufferedImage readRegion(RegionRequest request) {
		return reader.apply(request);
	}

	@Override
	public void close() {
		onClose.run();
	}
}
