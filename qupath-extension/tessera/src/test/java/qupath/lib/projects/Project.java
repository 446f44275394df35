package qupath.lib.projects;

import java.nio.file.Path;
import java.util.List;

/** Test double of QuPath's Project: a name, a path and images. */
public interface Project<T> {
	String getName();

	Path getPath();

	List<ProjectImageEntry<T>> getImageList();
}
