package qupath.lib.images;

import qupath.lib.images.servers.ImageServer;
import qupath.lib.images.servers.ImageServerMetadata;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;
import qupath.lib.plugins.workflow.Workflow;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.images.ImageData} (listener interfaces omitted). */
public class ImageData<T> implements AutoCloseable {

    /** Mirrors {@code ImageData.ImageType}. */
    public enum ImageType {
        BRIGHTFIELD_H_DAB, BRIGHTFIELD_H_E, BRIGHTFIELD_OTHER, FLUORESCENCE, OTHER, UNSET
    }

    public ImageData(ImageServer<T> server, PathObjectHierarchy hierarchy, ImageType type) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageData(ImageServer<T> server, ImageType type) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageData(ImageServer<T> server, PathObjectHierarchy hierarchy) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageData(ImageServer<T> server) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Workflow getHistoryWorkflow() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageServerMetadata getServerMetadata() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageServer<T> getServer() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getServerPath() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PathObjectHierarchy getHierarchy() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageType getImageType() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isLoaded() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Object getProperty(String key) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Object setProperty(String key, Object value) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String getLastSavedPath() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isChanged() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setChanged(boolean isChanged) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void close() throws Exception {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
