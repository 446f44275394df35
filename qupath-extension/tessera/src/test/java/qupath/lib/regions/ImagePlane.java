package qupath.lib.regions;

/** Test double of QuPath's ImagePlane. */
public class ImagePlane {

	private static final ImagePlane DEFAULT = new ImagePlane();

	public static ImagePlane getDefaultPlane() {
		return DEFAULT;
	}
}
