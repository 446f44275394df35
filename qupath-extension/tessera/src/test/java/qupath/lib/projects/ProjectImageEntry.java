package qupath.lib.projects;

import java.io.IOException;

import qupath.lib.images.ImageData;

/** Test double of QuPath's ProjectImageEntry. */
public interface ProjectImageEntry<T> {
	String getImageName();

	ImageData<T> readImageData() throws IOException;

	void saveImageData(ImageData<T> imageData) throws IOException;
}
