package qupath.ext.tessera.bridge;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

/**
 * Trains a tile classifier in the native core on a {@link TileStore} and writes a
 * {@code .tessera} model package (written to a temporary file and renamed: nothing is left
 * behind on failure or cancel).
 */
public final class Trainer {

	private static final Gson GSON = new GsonBuilder().serializeNulls().create();

	private Trainer() {}

	/**
	 * What to train.
	 * @param name the model's name
	 * @param spec the tiles the store holds (size and resolution, recorded in the package)
	 * @param epochs most epochs per training
	 * @param folds folds of grouped cross-validation (0: none)
	 * @param seed the seed: the same seed gives the same model
	 * @param images the images the tiles came from (recorded as provenance)
	 * @param groupedBy what the tile groups are: {@code "polygon"} or {@code "slide"}
	 * @param backbone the backbone to train a head on, or null to train the CNN from scratch
	 * @param parent a model to fine-tune (training starts from its weights, with the smaller
	 *        learning rate of fine-tuning, and the package records its lineage), or null
	 * @param unet the U-Net to train on a store of patches (a pixel classifier), or null
	 */
	public record Request(String name, TilePlanner.Spec spec, int epochs, int folds, long seed, List<String> images,
			String groupedBy, Backbone backbone, Path parent, UNet unet) {

		/** A request to train the CNN from scratch or a head on {@code backbone}, fine-tuning {@code parent} if not null. */
		public Request(String name, TilePlanner.Spec spec, int epochs, int folds, long seed, List<String> images,
				String groupedBy, Backbone backbone, Path parent) {
			this(name, spec, epochs, folds, seed, images, groupedBy, backbone, parent, null);
		}

		/** A request to train the CNN from scratch. */
		public Request(String name, TilePlanner.Spec spec, int epochs, int folds, long seed, List<String> images,
				String groupedBy) {
			this(name, spec, epochs, folds, seed, images, groupedBy, null, null);
		}
	}

	/**
	 * Transfer learning: a head trained on a fixed ONNX backbone's features of the tiles; the
	 * package's model is the backbone followed by the head.
	 * @param onnx the backbone, from {@code [n, 3, tile, tile]} images (normalised as {@code v / 127.5 − 1}) to {@code [n, features]}
	 * @param headHidden width of the head's hidden layer, or null for a linear head
	 */
	public record Backbone(Path onnx, Integer headHidden) {}

	/**
	 * A U-Net pixel classifier (its width and depth the core's defaults), trained on a store of
	 * patches with label masks ({@link TileStore#addPatches}); the package's task is segmentation.
	 * @param loss {@code cross-entropy}, {@code dice} or {@code cross-entropy+dice}
	 */
	public record UNet(String loss) {}

	/**
	 * Trains and writes the package.
	 * @param store the training tiles
	 * @param request what to train
	 * @param model where to write the package
	 * @param listener progress receiver, or null
	 * @param cancel token that stops training between steps, or null
	 * @return the package's metrics (cross-validation folds, final hold-out)
	 * @throws CancelledException if cancelled (no file written)
	 * @throws InvalidInputException if the tiles cannot be trained on (one class, too few groups for the folds, …)
	 */
	public static JsonObject train(TileStore store, Request request, Path model, ProgressListener listener,
			CancellationToken cancel) {
		Objects.requireNonNull(model, "model");
		ProgressListener safeListener = listener == null ? (done, total, message) -> {} : listener;
		String json = GSON.toJson(requestJson(request));
		if (cancel == null) {
			try (var token = new CancellationToken()) {
				return run(store, json, model, safeListener, token);
			}
		}
		return run(store, json, model, safeListener, cancel);
	}

	private static JsonObject run(TileStore store, String json, Path model, ProgressListener listener,
			CancellationToken cancel) {
		String metrics = cancel.use(token -> store.use(
				handle -> NativeBridge.trainPackage(handle, json, model.toAbsolutePath().toString(), listener, token)));
		return GSON.fromJson(metrics, JsonObject.class);
	}

	private static Map<String, Object> requestJson(Request request) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", request.name());
		json.put("tiles", TilePlanner.specMap(request.spec()));
		json.put("config", Map.of("epochs", request.epochs(), "seed", request.seed()));
		json.put("folds", request.folds());
		json.put("record", Map.of("images", request.images(), "grouping", request.groupedBy()));
		if (request.backbone() != null) {
			json.put("backbone", request.backbone().onnx().toAbsolutePath().toString());
			json.put("head_hidden", request.backbone().headHidden());
		}
		if (request.parent() != null)
			json.put("parent", request.parent().toAbsolutePath().toString());
		if (request.unet() != null)
			json.put("unet", Map.of("loss", request.unet().loss()));
		return json;
	}
}
