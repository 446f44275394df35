package qupath.lib.images.servers;

/** Test double of QuPath's PixelCalibration: square pixels of a known size, or none. */
public class PixelCalibration {

	private final double micronsPerPixel;

	/** @param micronsPerPixel the pixel size, or NaN for none */
	public PixelCalibration(double micronsPerPixel) {
		this.micronsPerPixel = micronsPerPixel;
	}

	public boolean hasPixelSizeMicrons() {
		return !Double.isNaN(micronsPerPixel);
	}

	public double getAveragedPixelSizeMicrons() {
		return micronsPerPixel;
	}
}
