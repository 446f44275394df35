package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.Random;

import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.ROIs;

/** A 512 px image, red on the left and blue on the right, with four annotations (two Red, two Blue). */
final class RedBlueImage {

	static final int SIZE = 512, HALF = SIZE / 2;

	/** How many servers of these images were closed (tests run one at a time). */
	static final java.util.concurrent.atomic.AtomicInteger CLOSED = new java.util.concurrent.atomic.AtomicInteger();

	/** Left half reddish, right half bluish, with noise. */
	static BufferedImage image() {
		var image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
		var random = new Random(3);
		for (int y = 0; y < SIZE; y++)
			for (int x = 0; x < SIZE; x++) {
				int n = random.nextInt(50);
				image.setRGB(x, y, x < HALF ? (190 + n) << 16 | (90 + n) << 8 | (70 + n) : (70 + n) << 16 | (90 + n) << 8 | (190 + n));
			}
		return image;
	}

	/**
	 * Makes a rectangle of {@code pixels} blank glass: light grey noise, no colour, so no tissue.
	 * @return {@code pixels}
	 */
	static BufferedImage withGlass(BufferedImage pixels, int x0, int y0, int width, int height) {
		var random = new Random(5);
		for (int y = y0; y < y0 + height; y++)
			for (int x = x0; x < x0 + width; x++) {
				int grey = 235 + random.nextInt(20);
				pixels.setRGB(x, y, grey << 16 | grey << 8 | grey);
			}
		return pixels;
	}

	static ImageData<BufferedImage> imageData(BufferedImage pixels) {
		var hierarchy = new PathObjectHierarchy();
		for (int i = 0; i < 4; i++) {
			var roi = ROIs.createRectangleROI((i / 2) * HALF, (i % 2) * HALF, HALF, HALF, ImagePlane.getDefaultPlane());
			hierarchy.addObject(PathObjects.createAnnotationObject(roi, PathClass.fromString(i < 2 ? "Red" : "Blue", null)));
		}
		return new ImageData<>(server(pixels), hierarchy);
	}

	/** @return a server of {@code pixels} at 0.5 µm/px that is only ever read at full resolution */
	static ImageServer<BufferedImage> server(BufferedImage pixels) {
		return new TestServer("qupath.lib.images.servers.WrappedBufferedImageServer: memory://red-blue#0", "red-blue.tif",
				java.util.List.of(), SIZE, SIZE, 0.5, request -> {
					assertEquals(1.0, request.getDownsample(), 1e-9);
					return pixels.getSubimage(request.getX(), request.getY(), request.getWidth(), request.getHeight());
				}, CLOSED::incrementAndGet);
	}

	private RedBlueImage() {}
}
