package qupath.lib.projects;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

import qupath.lib.images.ImageData;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.projects.ProjectImageEntry} (super-interfaces UriResource/MinimalMetadataStore omitted). */
public interface ProjectImageEntry<T> {

    String getID();

    void setImageName(String name);

    String getImageName();

    String getOriginalImageName();

    Path getEntryPath();

    String getDescription();

    void setDescription(final String description);

    ImageData<T> readImageData() throws IOException;

    void saveImageData(ImageData<T> imageData) throws IOException;

    PathObjectHierarchy readHierarchy() throws IOException;

    boolean hasImageData();

    String getSummary();

    T getThumbnail() throws IOException;

    void setThumbnail(T img) throws IOException;

    Set<String> getTags();
}
