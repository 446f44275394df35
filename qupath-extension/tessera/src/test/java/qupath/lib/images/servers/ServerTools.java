package qupath.lib.images.servers;

/** Test double of QuPath's ServerTools. */
public class ServerTools {

	/** As QuPath: the metadata's name, else (QuPath: a short name from the URIs, then) the path. */
	public static String getDisplayableImageName(ImageServer<?> server) {
		String name = server.getMetadata().getName();
		return name != null ? name : server.getPath();
	}
}
