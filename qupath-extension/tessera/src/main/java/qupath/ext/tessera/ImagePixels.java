package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import qupath.ext.tessera.bridge.NativeSlide;
import qupath.ext.tessera.bridge.TesseraException;
import qupath.ext.tessera.bridge.TilePlanner;
import qupath.lib.images.servers.ImageServer;

/**
 * Where an image's tile pixels come from. When the image is a JPEG-tiled TIFF pyramid (SVS,
 * tiled TIFF) that QuPath shows as the file holds it, the native core reads the file itself: the
 * same pixels and tile plans as the {@code tessera} command, one native call per batch, and no
 * dependence on QuPath's tile cache (a 64 px tile read through QuPath's server otherwise decodes
 * the whole 256² source tile around it each time the cache misses). Everything else is read
 * through QuPath's {@link ImageServer}: every format QuPath opens.
 * <p>
 * The file is read natively only when QuPath's server has one local file, RGB pixels, the same
 * full-resolution size, and the same picture: four full-resolution views, at the centres of the
 * image's quarters, read both ways must agree to the rounding of two JPEG decoders (a server that
 * rotates, flips or recolours the file does not).
 */
final class ImagePixels implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ImagePixels.class);

	/** Set to {@code false} to always read through QuPath's server (e.g. to compare the two). */
	static final String NATIVE_PROPERTY = "tessera.nativeReads";

	/** Side of the views compared before reading natively. */
	private static final int VIEW = 64;

	/** Largest mean absolute difference (0–255) between the two readers' views of one picture. */
	private static final double SAME_PICTURE = 4;

	private final ImageServer<BufferedImage> server;
	private final NativeSlide slide;

	private ImagePixels(ImageServer<BufferedImage> server, NativeSlide slide) {
		this.server = server;
		this.slide = slide;
	}

	/**
	 * @param server the image as QuPath reads it
	 * @return its pixels, read natively when the file allows it (see the class description)
	 */
	static ImagePixels of(ImageServer<BufferedImage> server) {
		return new ImagePixels(server, nativeSlide(server).orElse(null));
	}

	/** @return the image's full-resolution width */
	int width() {
		return server.getWidth();
	}

	/** @return the image's full-resolution height */
	int height() {
		return server.getHeight();
	}

	/** @return the image's pixel size in µm, NaN when it has none */
	double pixelSizeMicrons() {
		return Tessera.pixelSizeMicrons(server);
	}

	/** @return the file read natively, when it is */
	Optional<NativeSlide> slide() {
		return Optional.ofNullable(slide);
	}

	/**
	 * @param tiles the tiles, in full-resolution pixels
	 * @param downsample full-resolution pixels per tile pixel
	 * @param tileSize tile side in pixels
	 * @return the tiles' packed RGB pixels, one after the other
	 */
	ByteBuffer read(List<TilePlanner.Tile> tiles, double downsample, int tileSize) {
		if (slide == null)
			return ServerTiles.read(server, tiles, downsample, tileSize);
		ByteBuffer buffer = ByteBuffer.allocateDirect(tiles.size() * 3 * tileSize * tileSize);
		slide.read(tiles, tileSize, buffer);
		return buffer;
	}

	@Override
	public void close() {
		if (slide != null)
			slide.close();
	}

	private static Optional<NativeSlide> nativeSlide(ImageServer<BufferedImage> server) {
		if (!Boolean.parseBoolean(System.getProperty(NATIVE_PROPERTY, "true")) || !server.isRGB())
			return Optional.empty();
		var uris = server.getURIs();
		if (uris.size() != 1 || !"file".equals(uris.iterator().next().getScheme()))
			return Optional.empty();
		Path file;
		try {
			file = Path.of(uris.iterator().next());
		} catch (IllegalArgumentException e) {
			return Optional.empty();
		}
		if (!Files.isRegularFile(file))
			return Optional.empty();
		var opened = NativeSlide.open(file, Tessera.pixelSizeMicrons(server));
		if (opened.isEmpty())
			return opened;
		var slide = opened.get();
		var zero = slide.levels().get(0);
		try {
			if (zero.width() == server.getWidth() && zero.height() == server.getHeight() && samePicture(server, slide)) {
				logger.debug("Tessera: reading {} natively", file);
				return opened;
			}
		} catch (TesseraException | UncheckedIOException e) {
			logger.debug("Tessera: {} is read through QuPath: {}", file, e.getMessage());
		}
		slide.close();
		return Optional.empty();
	}

	/** Whether QuPath's server and the native reader show the same picture (four full-resolution views). */
	private static boolean samePicture(ImageServer<BufferedImage> server, NativeSlide slide) {
		if (Math.min(server.getWidth(), server.getHeight()) < 2 * VIEW)
			return false;
		List<TilePlanner.Tile> views = new ArrayList<>();
		for (int y : new int[] {1, 3})
			for (int x : new int[] {1, 3})
				views.add(new TilePlanner.Tile((long) server.getWidth() * x / 4 - VIEW / 2,
						(long) server.getHeight() * y / 4 - VIEW / 2, VIEW, VIEW, "view", 1, "view"));
		ByteBuffer viaQuPath = ServerTiles.read(server, views, 1, VIEW);
		ByteBuffer viaCore = ByteBuffer.allocateDirect(viaQuPath.capacity());
		slide.read(views, VIEW, viaCore);
		long difference = 0;
		for (int i = 0; i < viaQuPath.capacity(); i++)
			difference += Math.abs((viaQuPath.get(i) & 0xff) - (viaCore.get(i) & 0xff));
		double mean = (double) difference / viaQuPath.capacity();
		logger.debug("Tessera: QuPath's and the core's views differ by {} on average", mean);
		return mean <= SAME_PICTURE;
	}
}
