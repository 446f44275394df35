package qupath.ext.tessera.gui;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;

import qupath.ext.tessera.Tessera;
import qupath.lib.images.ImageData;

/**
 * What the dialogs pre-fill themselves from: the current image and the open project.
 * @param imageName the current image's name
 * @param classCounts annotations per class in the current image
 * @param micronsPerPixel the current image's pixel size, or null when it has none
 * @param projectImages the open project's image names (empty without a project)
 * @param modelDirectory where models are kept: the project's model folder, or the preferred one
 */
public record ImageContext(String imageName, SortedMap<String, Integer> classCounts, Double micronsPerPixel,
		List<String> projectImages, Path modelDirectory) {

	/**
	 * @param imageData the current image
	 * @param imageName its name
	 * @param projectImages the project's image names (empty without a project)
	 * @param modelDirectory where models are kept
	 * @return the context
	 */
	public static ImageContext of(ImageData<BufferedImage> imageData, String imageName, List<String> projectImages,
			Path modelDirectory) {
		var calibration = imageData.getServer().getPixelCalibration();
		Double mpp = calibration.hasPixelSizeMicrons() ? calibration.getAveragedPixelSizeMicrons() : null;
		return new ImageContext(imageName, Tessera.annotationClasses(imageData), mpp, projectImages, modelDirectory);
	}
}
