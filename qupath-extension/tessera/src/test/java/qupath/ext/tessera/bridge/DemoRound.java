package qupath.ext.tessera.bridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * A train and apply round on the demo slide through the bridge alone, as the extension runs it
 * inside QuPath but without QuPath: the annotations of the demo's GeoJSON (as WKB), tiles planned
 * inside them and read by the core's own SVS reader, a model trained with grouped
 * cross-validation, then applied to the tiles over the slide's tissue. Needs only this jar (or
 * its classes) and Gson, so it runs in any Java runtime: {@code DemoRoundIT} runs it on Linux,
 * {@code scripts/cross/windows.sh --run} in a Windows Java under Wine with the all-platform jar,
 * and the two summaries are compared.
 * <p>
 * usage: {@code java -cp tessera.jar:test-classes:gson.jar qupath.ext.tessera.bridge.DemoRound SLIDE GEOJSON OUT_DIR}
 * prints a JSON summary on its last line.
 */
public final class DemoRound {

	private static final Gson GSON = new GsonBuilder().serializeNulls().create();
	/** The demo slide's pixel size (CMU-1-Small-Region.svs). */
	private static final double MICRONS_PER_PIXEL = 0.499;
	/** Epochs of each training (two folds and the final model): enough to beat chance clearly. */
	static final int EPOCHS = 3;

	private DemoRound() {}

	/**
	 * Runs the round.
	 * @param slide the demo SVS
	 * @param geojson its annotations (QuPath GeoJSON)
	 * @param out a folder for the model
	 * @return the summary: tiles per class, cross-validation, detections per class, probabilities
	 */
	public static JsonObject run(Path slide, Path geojson, Path out) throws IOException {
		// The demo's tiles (`tessera demo`): 64 px at 0.5 µm/px, overlapping by half.
		var spec = new TilePlanner.Spec(64, 0.5, null, 0.5, 0.5, null);
		JsonObject summary = new JsonObject();
		try (NativeSlide svs = NativeSlide.open(slide, MICRONS_PER_PIXEL).orElseThrow(
				() -> new IllegalStateException("the core does not read " + slide + " itself"))) {
			var level0 = svs.levels().get(0);
			var plan = TilePlanner.plan("demo", level0.width(), level0.height(), MICRONS_PER_PIXEL, regions(geojson), spec);
			List<String> classes = plan.tiles().stream().map(TilePlanner.Tile::label).distinct().sorted().toList();
			int n = plan.tiles().size(), side = plan.tileSize();
			ByteBuffer rgb = ByteBuffer.allocateDirect(n * side * side * 3);
			svs.read(plan.tiles(), side, rgb);
			int[] labels = new int[n];
			long[] groups = new long[n];
			Map<String, Long> polygonIds = new HashMap<>();
			Map<String, Integer> perClass = new TreeMap<>();
			for (int i = 0; i < n; i++) {
				var tile = plan.tiles().get(i);
				labels[i] = classes.indexOf(tile.label());
				groups[i] = polygonIds.computeIfAbsent(tile.polygonId(), k -> (long) polygonIds.size());
				perClass.merge(tile.label(), 1, Integer::sum);
			}
			summary.add("training_tiles", GSON.toJsonTree(perClass));

			Path model = out.resolve("demo-round.tessera");
			JsonObject metrics;
			try (var store = new TileStore(side, classes)) {
				store.add(rgb, labels, groups);
				metrics = Trainer.train(store, new Trainer.Request("demo-round", spec, EPOCHS, 2, 7, List.of("demo"), "polygon"),
						model, null, null);
			}
			summary.add("cross_validation_mean_macro_f1", metrics.getAsJsonObject("cross_validation").get("mean_macro_f1"));

			var tissue = svs.planTissue("demo", new TilePlanner.Spec(64, 0.5, null, 0, 0.5, null));
			int m = tissue.tiles().size();
			ByteBuffer pixels = ByteBuffer.allocateDirect(m * side * side * 3);
			svs.read(tissue.tiles(), side, pixels);
			try (var predictor = new TilePredictor(model, 1)) {
				float[] probabilities = predictor.classify(pixels, m, null, null);
				int k = predictor.classNames().size();
				Map<String, Integer> detections = new TreeMap<>();
				for (int t = 0; t < m; t++) {
					int best = 0;
					for (int c = 1; c < k; c++)
						if (probabilities[t * k + c] > probabilities[t * k + best])
							best = c;
					detections.merge(predictor.classNames().get(best), 1, Integer::sum);
				}
				summary.addProperty("tissue_tiles", m);
				summary.add("detections", GSON.toJsonTree(detections));
				JsonArray first = new JsonArray();
				for (int i = 0; i < Math.min(4 * k, probabilities.length); i++)
					first.add(probabilities[i]);
				summary.add("first_probabilities", first);
			}
		}
		return summary;
	}

	/** The GeoJSON's classified polygons as the extension passes them: big-endian WKB, as JTS writes it. */
	static List<TilePlanner.Region> regions(Path geojson) throws IOException {
		JsonObject collection = GSON.fromJson(Files.readString(geojson), JsonObject.class);
		List<TilePlanner.Region> regions = new ArrayList<>();
		for (var element : collection.getAsJsonArray("features")) {
			JsonObject feature = element.getAsJsonObject();
			JsonObject geometry = feature.getAsJsonObject("geometry");
			if (!"Polygon".equals(geometry.get("type").getAsString()))
				throw new IllegalArgumentException("the demo round reads polygons only: " + geometry.get("type"));
			JsonArray rings = geometry.getAsJsonArray("coordinates");
			int size = 1 + 4 + 4;
			for (var ring : rings)
				size += 4 + 16 * ring.getAsJsonArray().size();
			ByteBuffer wkb = ByteBuffer.allocate(size).put((byte) 0).putInt(3).putInt(rings.size());
			for (var ring : rings) {
				wkb.putInt(ring.getAsJsonArray().size());
				for (var point : ring.getAsJsonArray())
					wkb.putDouble(point.getAsJsonArray().get(0).getAsDouble()).putDouble(point.getAsJsonArray().get(1).getAsDouble());
			}
			JsonObject classification = feature.getAsJsonObject("properties").getAsJsonObject("classification");
			regions.add(new TilePlanner.Region(wkb.array(), classification == null ? null : classification.get("name").getAsString(),
					feature.get("id").getAsString()));
		}
		return regions;
	}

	/**
	 * Runs the round and prints its summary.
	 * @param args the slide, its GeoJSON annotations, a folder for the model
	 */
	public static void main(String[] args) throws IOException {
		var info = NativeLibrary.ensureLoaded();
		System.out.println("native library: " + info.library() + "; " + info.onnxRuntimeBuild());
		Path out = Path.of(args[2]);
		Files.createDirectories(out);
		System.out.println(GSON.toJson(run(Path.of(args[0]), Path.of(args[1]), out)));
	}
}
