package qupath.lib.images.servers;

/** Test double of QuPath's PixelCalibration: square pixels of a known size, or none. */
public class PixelCalibration {

	private double micronsPerPixel = Double.NaN;

	/** An image without a pixel size, as QuPath's default calibration. */
	public PixelCalibration() {}

	public boolean hasPixelSizeMicrons() {
		return !Double.isNaN(micronsPerPixel);
	}

	public double getAveragedPixelSizeMicrons() {
		return micronsPerPixel;
	}

	/** Test double of QuPath's calibration builder (square pixels only). */
	public static class Builder {
		private final PixelCalibration calibration = new PixelCalibration();

		public Builder() {}

		public Builder pixelSizeMicrons(Number pixelWidthMicrons, Number pixelHeightMicrons) {
			calibration.micronsPerPixel = (pixelWidthMicrons.doubleValue() + pixelHeightMicrons.doubleValue()) / 2;
			return this;
		}

		public PixelCalibration build() {
			return calibration;
		}
	}
}
