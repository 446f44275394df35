package qupath.lib.images;

import qupath.lib.images.servers.ImageServer;
import qupath.lib.objects.hierarchy.PathObjectHierarchy;
import qupath.lib.plugins.workflow.Workflow;

/** Test double of QuPath's ImageData. */
public class ImageData<T> {

	private final ImageServer<T> server;
	private final PathObjectHierarchy hierarchy;
	private final Workflow workflow = new Workflow();

	public ImageData(ImageServer<T> server, PathObjectHierarchy hierarchy) {
		this.server = server;
		this.hierarchy = hierarchy;
	}

	public ImageServer<T> getServer() {
		return server;
	}

	public PathObjectHierarchy getHierarchy() {
		return hierarchy;
	}

	public Workflow getHistoryWorkflow() {
		return workflow;
	}
}
