package qupath.ext.tessera;

import qupath.ext.tessera.bridge.TilePlanner;

/**
 * A job that tiles classified annotations at a size and resolution it is given: training and
 * tile export.
 * @param <J> the job's own type, returned by the builder methods
 */
public abstract class TilingJob<J extends TilingJob<J>> extends TesseraJob<J> {
	int tileSize = 64;
	Double micronsPerPixel = 0.5;
	Double downsample;
	double overlap;
	double minCoverage = 0.5;

	TilingJob() {}

	/** @return this job with tiles of {@code pixels} × {@code pixels} */
	public J tileSize(int pixels) {
		this.tileSize = pixels;
		return self();
	}

	/** @return this job reading tiles at {@code mpp} µm per pixel */
	public J micronsPerPixel(double mpp) {
		this.micronsPerPixel = mpp;
		this.downsample = null;
		return self();
	}

	/** @return this job reading tiles at {@code downsample} (for images without a pixel size) */
	public J downsample(double downsample) {
		this.downsample = downsample;
		this.micronsPerPixel = null;
		return self();
	}

	/** @return this job with neighbouring tiles overlapping by {@code fraction} of their side */
	public J overlap(double fraction) {
		this.overlap = fraction;
		return self();
	}

	/** @return this job keeping tiles covered at least {@code fraction} by their annotation */
	public J minCoverage(double fraction) {
		this.minCoverage = fraction;
		return self();
	}

	TilePlanner.Spec spec() {
		return new TilePlanner.Spec(tileSize, micronsPerPixel, downsample, overlap, minCoverage, null, maxTiles);
	}

	/** @return the Groovy builder calls that set this job's tiling, e.g. {@code .tileSize(64).micronsPerPixel(0.5)…} */
	String tilingScript() {
		String resolution = micronsPerPixel != null
				? ".micronsPerPixel(" + Scripts.number(micronsPerPixel) + ")"
				: ".downsample(" + Scripts.number(downsample) + ")";
		return ".tileSize(" + tileSize + ")" + resolution + ".overlap(" + Scripts.number(overlap) + ").minCoverage("
				+ Scripts.number(minCoverage) + ")" + maxTilesScript();
	}
}
