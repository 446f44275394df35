package qupath.ext.tessera.bridge;

import java.util.List;

/**
 * The classified annotations of one image, held by the native core, which paints each training
 * patch's label mask from them (see {@link TileStore#addPatches}): a pixel inside an annotation
 * gets its class, any other pixel is left unlabelled and counts for nothing in training.
 */
public final class PatchLabels extends NativeObject {

	/**
	 * @param image the image's name, used in messages
	 * @param regions its annotations (unclassified ones are left out)
	 * @param byImage true when patches are grouped by image (each labelled by every annotation of
	 *        its image), false when grouped by annotation (each labelled by its own annotation
	 *        only, so no pixel of a validation annotation is ever trained on)
	 * @throws InvalidInputException naming the image and the annotation whose geometry cannot be read
	 */
	public PatchLabels(String image, List<TilePlanner.Region> regions, boolean byImage) {
		super(create(image, regions, byImage), NativeBridge::patchLabelsFree);
	}

	private static long create(String image, List<TilePlanner.Region> regions, boolean byImage) {
		NativeLibrary.ensureLoaded();
		return NativeBridge.patchLabelsNew(image, regions.stream().map(TilePlanner.Region::wkb).toArray(byte[][]::new),
				regions.stream().map(TilePlanner.Region::className).toArray(String[]::new),
				regions.stream().map(TilePlanner.Region::id).toArray(String[]::new), byImage);
	}

	/** Runs a native call with this object's handle. */
	<T> T use(java.util.function.LongFunction<T> call) {
		return withHandle(call);
	}
}
