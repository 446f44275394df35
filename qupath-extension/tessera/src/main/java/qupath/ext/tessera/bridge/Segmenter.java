package qupath.ext.tessera.bridge;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;

/**
 * A segmentation package applied to the tiles of one plan, whose pixels Java reads: the tiles go
 * in the order {@link #order()} gives, a batch at a time ({@link #add}), and {@link #finish}
 * traces the blended class map into one polygon per connected region of each class (but
 * Background), as {@code tessera apply} does on the slides the core opens itself.
 */
public final class Segmenter extends NativeObject {

	private final int[] order;

	/**
	 * How region outlines are traced.
	 * @param simplify Douglas–Peucker tolerance in model output pixels (0 keeps the pixel staircase)
	 * @param minAreaMicrons2 regions smaller than this many µm² are dropped (0: none)
	 * @param minHoleMicrons2 holes smaller than this many µm² are filled (0: none)
	 * @param smooth rounds of corner smoothing (0: straight segments)
	 */
	public record Tracing(double simplify, double minAreaMicrons2, double minHoleMicrons2, int smooth) {}

	/**
	 * One traced region.
	 * @param className its class
	 * @param wkb its polygon as WKB, in full-resolution pixels
	 */
	public record Region(String className, byte[] wkb) {}

	/**
	 * @param predictor a loaded model
	 * @return whether its package's task is segmentation (else it classifies tiles)
	 */
	public static boolean segments(TilePredictor predictor) {
		var task = predictor.metadata().get("task");
		return task != null && "segmentation".equals(task.getAsString());
	}

	/**
	 * @param predictor a model package whose task is segmentation
	 * @param plan the tiles to segment, at the model's tile size
	 * @throws IncompatibleModelException if the model is a tile classifier
	 * @throws InvalidInputException if the plan has no tile
	 */
	public Segmenter(TilePredictor predictor, TilePlanner.Plan plan) {
		super(create(predictor, plan), NativeBridge::segmenterFree);
		this.order = withHandle(NativeBridge::segmenterOrder);
	}

	private static long create(TilePredictor predictor, TilePlanner.Plan plan) {
		long[] rectangles = new long[4 * plan.tiles().size()];
		for (int i = 0; i < plan.tiles().size(); i++) {
			var tile = plan.tiles().get(i);
			rectangles[4 * i] = tile.x();
			rectangles[4 * i + 1] = tile.y();
			rectangles[4 * i + 2] = tile.w();
			rectangles[4 * i + 3] = tile.h();
		}
		return predictor.withHandle(handle -> NativeBridge.segmenterNew(handle, rectangles, plan.downsample()));
	}

	/** @return the plan's tile indices in the order their pixels must be given */
	public int[] order() {
		return order.clone();
	}

	/**
	 * Predicts and blends the next {@code count} tiles of {@link #order()}.
	 * @param rgb a direct buffer of {@code count} packed RGB tiles at the model's tile size, from position 0
	 * @param count tiles in the buffer
	 * @throws InvalidInputException if more tiles are given than the plan has, or the buffer is too small
	 */
	public void add(ByteBuffer rgb, int count) {
		Objects.requireNonNull(rgb, "rgb");
		if (!rgb.isDirect())
			throw new InvalidInputException("tile pixels must be in a direct buffer");
		withHandle(handle -> {
			NativeBridge.segmenterAdd(handle, rgb, count);
			return null;
		});
	}

	/**
	 * Traces the regions; the segmentation cannot be fed afterwards.
	 * @param tracing how outlines are traced
	 * @param pixelSizeMicrons the image's pixel size, NaN when it has none (then no area in µm² can be asked for)
	 * @param heatmaps a folder to write each class's heatmap into as {@code <class>.png} (8-bit grey + alpha,
	 *        each file atomically; created when missing), or null for none
	 * @return the regions, class by class
	 * @throws InvalidInputException if tiles are missing, or areas are asked for on an image without a pixel size
	 */
	public List<Region> finish(Tracing tracing, double pixelSizeMicrons, Path heatmaps) {
		String options = new Gson().toJson(Map.of("simplify", tracing.simplify(), "min_area_um2",
				tracing.minAreaMicrons2(), "min_hole_um2", tracing.minHoleMicrons2(), "smooth", tracing.smooth()));
		String folder = heatmaps == null ? null : heatmaps.toAbsolutePath().toString();
		String json = withHandle(handle -> NativeBridge.segmenterFinish(handle, options, pixelSizeMicrons, folder));
		return new Gson().fromJson(json, JsonArray.class).asList().stream().map(JsonElement::getAsJsonObject)
				.map(r -> new Region(r.get("class").getAsString(), hexToBytes(r.get("wkb").getAsString()))).toList();
	}

	private static byte[] hexToBytes(String hex) {
		byte[] bytes = new byte[hex.length() / 2];
		for (int i = 0; i < bytes.length; i++)
			bytes[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
		return bytes;
	}
}
