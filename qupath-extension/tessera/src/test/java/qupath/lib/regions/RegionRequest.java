package qupath.lib.regions;

/** Test double of QuPath's RegionRequest. */
public class RegionRequest {

	private final String path;
	private final double downsample;
	private final int x, y, width, height;

	private RegionRequest(String path, double downsample, int x, int y, int width, int height) {
		this.path = path;
		this.downsample = downsample;
		this.x = x;
		this.y = y;
		this.width = width;
		this.height = height;
	}

	public static RegionRequest createInstance(String path, double downsample, int x, int y, int width, int height) {
		return new RegionRequest(path, downsample, x, y, width, height);
	}

	public String getPath() {
		return path;
	}

	public double getDownsample() {
		return downsample;
	}

	public int getX() {
		return x;
	}

	public int getY() {
		return y;
	}

	public int getWidth() {
		return width;
	}

	public int getHeight() {
		return height;
	}

	@Override
	public String toString() {
		return "Region " + path + " (" + x + ", " + y + ", " + width + ", " + height + ") at " + downsample;
	}
}
