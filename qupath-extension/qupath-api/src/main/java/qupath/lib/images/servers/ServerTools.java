package qupath.lib.images.servers;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.images.servers.ServerTools} (one member). */
public class ServerTools {

    public static String getDisplayableImageName(ImageServer<?> server) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
