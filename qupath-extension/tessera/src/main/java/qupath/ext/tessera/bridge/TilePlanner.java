package qupath.ext.tessera.bridge;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/**
 * Plans labelled tiles inside annotations, in the native core.
 * <p>
 * Annotations cross the boundary as WKB (JTS {@code WKBWriter} output), the specification and the
 * plan as JSON. The plan is deterministic: the same annotations and specification always give the
 * same tiles, each with its label, its coverage by its polygon and the polygon's id (the group
 * used to split training data without leakage).
 */
public final class TilePlanner {

	private static final Gson GSON = new GsonBuilder()
			.setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
			.create();

	private TilePlanner() {}

	/**
	 * One annotation.
	 * @param wkb its polygon or multipolygon as WKB, in full-resolution pixels
	 * @param className its class, or null when unclassified (then it is skipped)
	 * @param id its id (QuPath's UUID), or null
	 */
	public record Region(byte[] wkb, String className, String id) {
		/** @throws NullPointerException without a geometry */
		public Region {
			Objects.requireNonNull(wkb, "wkb");
		}
	}

	/**
	 * What tiles to make.
	 * @param tileSize tile side in output pixels
	 * @param micronsPerPixel output pixel size, or null to use {@code downsample}
	 * @param downsample full-resolution pixels per output pixel, used when {@code micronsPerPixel} is null
	 * @param overlap overlap of neighbouring tiles as a fraction of the side, in [0, 1)
	 * @param minCoverage least fraction of a tile its polygon must cover, in [0, 1]
	 * @param classes classes to tile, or null for all ({@code Ignore*} classes never are)
	 * @param maxTiles the most tiles a plan may make: null for the core's default (a million; a plan
	 *     of more is refused with its estimate as a likely mistake), 0 or less for no limit
	 */
	public record Spec(int tileSize, Double micronsPerPixel, Double downsample, double overlap, double minCoverage,
			List<String> classes, Long maxTiles) {

		/** A specification with the core's default limit on the number of tiles. */
		public Spec(int tileSize, Double micronsPerPixel, Double downsample, double overlap, double minCoverage,
				List<String> classes) {
			this(tileSize, micronsPerPixel, downsample, overlap, minCoverage, classes, null);
		}
	}

	/**
	 * One planned tile, in full-resolution pixels.
	 * @param x left edge
	 * @param y top edge
	 * @param w width
	 * @param h height
	 * @param label class of the tile
	 * @param coverage fraction of the tile covered by its polygon
	 * @param polygonId id of the tile's polygon
	 */
	public record Tile(long x, long y, long w, long h, String label, double coverage, String polygonId) {}

	/**
	 * The plan of one image.
	 * @param downsample full-resolution pixels per output pixel
	 * @param tileSize output tile side in pixels
	 * @param tiles the tiles, row-major
	 * @param skipped annotations left out, by reason ({@code unclassified}, {@code ignored}, {@code excluded})
	 * @param warnings what the user should know of the annotations, e.g. polygons of different
	 *     classes that overlap (tiles there go to the class covering more of them)
	 */
	public record Plan(double downsample, int tileSize, List<Tile> tiles, Map<String, Integer> skipped,
			List<String> warnings) {}

	private record NativeResult(NativePlan plan, Map<String, Integer> selection, List<String> warnings) {}

	private record NativePlan(double downsample, int tileSize, List<Tile> tiles) {}

	/**
	 * @param image the image's name, used in messages
	 * @param width full-resolution width in pixels
	 * @param height full-resolution height in pixels
	 * @param pixelSizeMicrons the image's pixel size, or NaN when unknown
	 * @param regions the annotations
	 * @param spec what tiles to make
	 * @return the plan
	 * @throws InvalidInputException naming the image and the problem (no usable polygon, all outside the image, …)
	 */
	public static Plan plan(String image, long width, long height, double pixelSizeMicrons, List<Region> regions, Spec spec) {
		NativeLibrary.ensureLoaded();
		int n = regions.size();
		byte[][] geometries = new byte[n][];
		String[] classes = new String[n], ids = new String[n];
		for (int i = 0; i < n; i++) {
			geometries[i] = regions.get(i).wkb();
			classes[i] = regions.get(i).className();
			ids[i] = regions.get(i).id();
		}
		return parse(NativeBridge.planTiles(image, width, height, pixelSizeMicrons, geometries, classes, ids, specJson(spec)));
	}

	/**
	 * Plans tiles over the whole image where there is tissue (Otsu on saturation, on the
	 * thumbnail), labelled {@code Tissue}.
	 * @param image the image's path or name (for messages)
	 * @param width full-resolution width in pixels
	 * @param height full-resolution height in pixels
	 * @param pixelSizeMicrons the image's pixel size, or NaN when unknown
	 * @param thumbnail the whole image, small (e.g. 2048 px on its longer side)
	 * @param spec what tiles to make ({@code minCoverage}: least tissue fraction of a tile)
	 * @return the plan
	 */
	public static Plan planTissue(String image, long width, long height, double pixelSizeMicrons, BufferedImage thumbnail,
			Spec spec) {
		NativeLibrary.ensureLoaded();
		int w = thumbnail.getWidth(), h = thumbnail.getHeight();
		ByteBuffer rgb = ByteBuffer.allocateDirect(3 * w * h);
		RgbPixels.write(thumbnail, rgb);
		return parse(NativeBridge.planTissueTiles(image, width, height, pixelSizeMicrons, rgb, w, h, specJson(spec)));
	}

	static Plan parse(String json) {
		NativeResult result = GSON.fromJson(json, NativeResult.class);
		Map<String, Integer> skipped = new LinkedHashMap<>(result.selection());
		skipped.remove("regions");
		skipped.remove("repaired");
		var warnings = result.warnings() == null ? List.<String>of() : result.warnings();
		return new Plan(result.plan().downsample(), result.plan().tileSize(), result.plan().tiles(), skipped, warnings);
	}

	static String specJson(Spec spec) {
		return new GsonBuilder().serializeNulls().create().toJson(specMap(spec));
	}

	/** The specification as the native core reads it. */
	static Map<String, Object> specMap(Spec spec) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("tile_size", spec.tileSize());
		json.put("resolution", spec.micronsPerPixel() != null
				? Map.of("mpp", spec.micronsPerPixel())
				: Map.of("downsample", spec.downsample() == null ? 1.0 : spec.downsample()));
		json.put("overlap", spec.overlap());
		json.put("min_coverage", spec.minCoverage());
		json.put("classes", spec.classes());
		if (spec.maxTiles() != null)
			json.put("max_tiles", spec.maxTiles() > 0 ? spec.maxTiles() : null);
		return json;
	}
}
