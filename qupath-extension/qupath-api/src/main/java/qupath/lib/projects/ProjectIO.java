package qupath.lib.projects;

import java.io.File;
import java.io.IOException;
import java.net.URI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.projects.ProjectIO} (subset of members). */
public class ProjectIO {

    public static <T> Project<T> loadProject(final URI uri, final Class<T> cls) throws IOException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static <T> Project<T> loadProject(final File fileProject, final Class<T> cls) throws IOException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static String getProjectExtension() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static String getProjectExtension(boolean includePeriod) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
