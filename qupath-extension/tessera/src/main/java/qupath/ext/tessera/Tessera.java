package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import org.slf4j.LoggerFactory;

import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServer;
import qupath.lib.images.servers.ServerTools;
import qupath.lib.objects.PathObject;

/**
 * Tessera for Groovy scripts (and the menu commands, which run the same jobs): train a tile
 * classifier on annotations, apply or evaluate a model, export training tiles. Each successful
 * call on an image records a workflow step whose script reproduces it, so QuPath's "Create
 * script" replays it.
 * <pre>
 * import qupath.ext.tessera.Tessera
 * Tessera.training().tileSize(64).micronsPerPixel(0.5).epochs(20).folds(4)
 *        .train(getCurrentImageData(), "models/tumour.tessera")
 * Tessera.training().trainOnProject(getProject().getImageList(), "models/cohort.tessera")
 * Tessera.segmentation().tileSize(64).micronsPerPixel(1).epochs(8).loss("cross-entropy+dice")
 *        .train(getCurrentImageData(), "models/regions.tessera")
 * Tessera.application("models/tumour.tessera").mergeClasses(true).apply(getCurrentImageData())
 * Tessera.evaluation("models/tumour.tessera").report("reports/slide7").evaluate(getCurrentImageData())
 * Tessera.tileExport().tileSize(224).micronsPerPixel(0.5).export(getCurrentImageData(), "tiles")
 * Tessera.review().count(20).by("uncertainty").find(getCurrentImageData())
 * Tessera.review().count(20).by("loss").findInProject(getProject().getImageList())
 * Tessera.review().classify(getCurrentImageData(), "Tessera review 3: Tumor?", "Stroma")
 * Tessera.training().from("models/tumour.tessera").train(getCurrentImageData(), "models/tumour-2.tessera")
 * </pre>
 */
public final class Tessera {

	private Tessera() {}

	/** @return a training job with the defaults (64 px tiles at 0.5 µm/px, 20 epochs, 4 folds) */
	public static Training training() {
		return new Training();
	}

	/**
	 * @return a job training a pixel classifier (U-Net; 64 px patches at 1 µm/px overlapping by
	 *         half, 20 epochs, 4 folds, cross-entropy + Dice loss), applied with {@link #application}
	 */
	public static Segmentation segmentation() {
		return new Segmentation();
	}

	/**
	 * @param model the model package (or bare ONNX with its config.json)
	 * @return a job applying it inside the image's annotations
	 */
	public static Application application(String model) {
		return new Application(model);
	}

	/**
	 * @param model the model package (or bare ONNX with its config.json)
	 * @return a job scoring it against the classes of the image's annotations
	 */
	public static Evaluation evaluation(String model) {
		return new Evaluation(model);
	}

	/**
	 * @return a job finding the applied tiles to review next (20, by uncertainty, unless set),
	 *         added as review objects the user classifies
	 */
	public static Review review() {
		return new Review();
	}

	/** @return a job exporting the labelled tiles of the image's annotations as PNG files */
	public static TileExport tileExport() {
		return new TileExport();
	}

	/**
	 * What a job did to one image of a batch.
	 * @param image the image's name
	 * @param objects objects added
	 * @param error why the image failed, or null when it succeeded
	 */
	public record ImageResult(String image, int objects, String error) {}

	/**
	 * The classes of the image's area annotations with how many annotations each has (the
	 * class regions Tessera adds when merging are not counted).
	 * @param imageData the image
	 * @return annotations per class, by class name
	 */
	public static SortedMap<String, Integer> annotationClasses(ImageData<BufferedImage> imageData) {
		SortedMap<String, Integer> counts = new TreeMap<>();
		for (var region : Annotations.regions(imageData.getHierarchy().getAnnotationObjects(), null))
			if (region.className() != null)
				counts.merge(region.className(), 1, Integer::sum);
		return counts;
	}

	/**
	 * The annotations selected in the image (what <i>Apply model…</i> offers to apply inside).
	 * @param imageData the image
	 * @return its selected annotations, in selection order
	 */
	public static List<PathObject> selectedAnnotations(ImageData<BufferedImage> imageData) {
		return imageData.getHierarchy().getSelectionModel().getSelectedObjects().stream().filter(PathObject::isAnnotation)
				.toList();
	}

	/** Closes the image server of data read from a project (its file handles); a failure is only logged. */
	static void closeServer(ImageData<BufferedImage> imageData) {
		try {
			imageData.getServer().close();
		} catch (Exception e) {
			LoggerFactory.getLogger(Tessera.class).debug("Tessera: closing {}", imageName(imageData), e);
		}
	}

	/**
	 * The image's name as QuPath shows it: the project entry's name for an image read from a
	 * project (QuPath puts it into the server's metadata), else a short name QuPath derives from
	 * its file. Never {@code ImageServer.getPath()}, which is QuPath's internal id of the server.
	 * @param imageData the image
	 * @return its name
	 */
	public static String imageName(ImageData<BufferedImage> imageData) {
		return ServerTools.getDisplayableImageName(imageData.getServer());
	}

	/** The image's pixel size in µm, NaN when it has none (the core then asks for a downsample). */
	static double pixelSizeMicrons(ImageServer<BufferedImage> server) {
		var calibration = server.getPixelCalibration();
		return calibration.hasPixelSizeMicrons() ? calibration.getAveragedPixelSizeMicrons() : Double.NaN;
	}
}
