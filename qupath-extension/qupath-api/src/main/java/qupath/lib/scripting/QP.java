package qupath.lib.scripting;

import java.awt.image.BufferedImage;

import qupath.lib.images.ImageData;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;
import qupath.lib.projects.Project;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.scripting.QP} (minimal subset). */
public class QP {

    public static ImageData<BufferedImage> getCurrentImageData() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static PathObjectHierarchy getCurrentHierarchy() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Project<BufferedImage> getProject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
