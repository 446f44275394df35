package qupath.lib.projects;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

import qupath.lib.images.ImageData;
import qupath.lib.objects.classes.PathClass;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.projects.Project} (subset of members). */
public interface Project<T> {

    List<PathClass> getPathClasses();

    boolean setPathClasses(Collection<? extends PathClass> pathClasses);

    URI getURI();

    static String getNameFromURI(URI uri) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    String getVersion();

    Path getPath();

    boolean isEmpty();

    ProjectImageEntry<T> getEntry(final ImageData<T> imageData);

    void removeImage(final ProjectImageEntry<?> entry, boolean removeAllData);

    void syncChanges() throws IOException;

    List<ProjectImageEntry<T>> getImageList();

    String getName();

    long getCreationTimestamp();

    long getModificationTimestamp();
}
