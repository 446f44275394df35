package qupath.lib.images.servers;

/** Test double of QuPath's ImageServerMetadata: the image's name. */
public class ImageServerMetadata {

	private final String name;

	private ImageServerMetadata(String name) {
		this.name = name;
	}

	public String getName() {
		return name;
	}

	/** Test double of QuPath's metadata builder. */
	public static class Builder {
		private String name;

		public Builder name(String name) {
			this.name = name;
			return this;
		}

		public ImageServerMetadata build() {
			return new ImageServerMetadata(name);
		}
	}
}
