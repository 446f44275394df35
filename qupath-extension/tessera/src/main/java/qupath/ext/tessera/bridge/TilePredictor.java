package qupath.ext.tessera.bridge;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * A tile classifier loaded from a model package, classifying tiles whose pixels Java read.
 */
public final class TilePredictor extends NativeObject {

	private final JsonObject metadata;

	/**
	 * Loads a model on the CPU.
	 * @param model a {@code .tessera} package, or a bare {@code .onnx} with a WSInfer-style {@code config.json} beside it
	 * @param threads ONNX Runtime threads
	 * @throws IncompatibleModelException if the model does not fit its metadata or is not a model
	 */
	public TilePredictor(Path model, int threads) {
		this(model, threads, "cpu");
	}

	/**
	 * Loads a model on a device; CUDA falls back to the CPU (see {@link #deviceWarning()}) when
	 * the ONNX Runtime library has no usable CUDA provider.
	 * @param model a {@code .tessera} package, or a bare {@code .onnx} with a WSInfer-style {@code config.json} beside it
	 * @param threads ONNX Runtime threads
	 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
	 * @throws IncompatibleModelException if the model does not fit its metadata or is not a model
	 * @throws InvalidInputException if the device is not one of those
	 */
	public TilePredictor(Path model, int threads, String device) {
		this(model, threads, device, "auto");
	}

	/**
	 * Loads a model on a device, in a precision: the package's float model or its int8 model.
	 * @param model a {@code .tessera} package, or a bare {@code .onnx} with a WSInfer-style {@code config.json} beside it
	 * @param threads ONNX Runtime threads
	 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
	 * @param precision {@code auto} (the int8 model where it passed the package's accuracy guard
	 *        and the model runs on the CPU), {@code fp32} or {@code int8}; {@link #precision()} says
	 *        which model runs and why
	 * @throws IncompatibleModelException if the model does not fit its metadata or is not a model
	 * @throws InvalidInputException if the device or precision is not one of those, or int8 is
	 *         asked of a package without an int8 model
	 */
	public TilePredictor(Path model, int threads, String device, String precision) {
		super(load(model, threads, device, precision), NativeBridge::predictorFree);
		this.metadata = new Gson().fromJson(withHandle(NativeBridge::predictorMetadata), JsonObject.class);
	}

	private static long load(Path model, int threads, String device, String precision) {
		Objects.requireNonNull(model, "model");
		NativeLibrary.ensureLoaded();
		return NativeBridge.predictorLoad(model.toAbsolutePath().toString(), threads, Objects.requireNonNull(device, "device"),
				Objects.requireNonNull(precision, "precision"));
	}

	/**
	 * Which of the package's models runs.
	 * @param int8 whether its int8 model runs
	 * @param reason why, in a sentence
	 * @param warning what the user should know when the choice goes against the accuracy guard
	 */
	public record Precision(boolean int8, String reason, Optional<String> warning) {}

	/** @return which of the package's models runs, and why */
	public Precision precision() {
		var json = new Gson().fromJson(withHandle(NativeBridge::predictorPrecision), JsonObject.class);
		JsonElement warning = json.get("warning");
		return new Precision(json.get("int8").getAsBoolean(), json.get("reason").getAsString(),
				warning == null || warning.isJsonNull() ? Optional.empty() : Optional.of(warning.getAsString()));
	}

	/** @return why the model runs on the CPU rather than the device asked for, if it does */
	public Optional<String> deviceWarning() {
		String warning = withHandle(NativeBridge::predictorDeviceWarning);
		return warning.isEmpty() ? Optional.empty() : Optional.of(warning);
	}

	/** @return the package metadata ({@code tessera.json}) */
	public JsonObject metadata() {
		return metadata.deepCopy();
	}

	/** @return the class names, in output order */
	public List<String> classNames() {
		return metadata.getAsJsonArray("classes").asList().stream()
				.map(c -> c.getAsJsonObject().get("name").getAsString()).toList();
	}

	/** @return each class's colour as packed RGB, in output order */
	public List<Integer> classColours() {
		return metadata.getAsJsonArray("classes").asList().stream().map(c -> {
			var rgb = c.getAsJsonObject().getAsJsonArray("color");
			return (rgb.get(0).getAsInt() << 16) | (rgb.get(1).getAsInt() << 8) | rgb.get(2).getAsInt();
		}).toList();
	}

	/** @return the tile side the model reads, in pixels */
	public int tileSize() {
		return metadata.getAsJsonObject("input").get("tile_size").getAsInt();
	}

	/** @return the pixel size the model was trained at, or null when it was trained at a downsample */
	public Double micronsPerPixel() {
		JsonElement mpp = metadata.getAsJsonObject("input").get("mpp");
		return mpp == null || mpp.isJsonNull() ? null : mpp.getAsDouble();
	}

	/** @return the downsample the model was trained at, or null when it was trained at a pixel size */
	public Double downsample() {
		JsonElement downsample = metadata.getAsJsonObject("input").get("downsample");
		return downsample == null || downsample.isJsonNull() ? null : downsample.getAsDouble();
	}

	/**
	 * What preparing the predictor for an image found.
	 * @param score the image's out-of-distribution score; empty when the model carries no training
	 *        statistics (an older package, a model made elsewhere)
	 * @param threshold the score above which the image is out of distribution, derived from the training folds
	 * @param lines what was found and done, one line each, for the log
	 * @param warning set when the score lies beyond the threshold: what the user should know
	 */
	public record SlideShift(OptionalDouble score, OptionalDouble threshold, List<String> lines, Optional<String> warning) {}

	/**
	 * Prepares this predictor for an image, until the next image: fits the package's stain
	 * normalisation to it, scores it against the training data and, when asked, re-estimates the
	 * model's batch normalisation statistics on it (AdaBN; the float model then runs).
	 * @param rgb a direct buffer of {@code count} packed RGB tiles at {@link #tileSize()}, spread over the image
	 * @param count the number of tiles
	 * @param adapt true to re-estimate the batch normalisation statistics
	 * @param overTissue true when the tiles come from the whole image's tissue rather than from
	 *        regions drawn on it: the score is then reported but never warned about (the threshold
	 *        comes from annotated regions, and tissue they never covered raises it)
	 * @param listener progress receiver, or null
	 * @param cancel token that stops between batches, or null
	 * @return what was found
	 */
	public SlideShift prepare(ByteBuffer rgb, int count, boolean adapt, boolean overTissue, ProgressListener listener,
			CancellationToken cancel) {
		if (!rgb.isDirect())
			throw new InvalidInputException("tile pixels must be in a direct buffer");
		ProgressListener safeListener = listener == null ? (done, total, message) -> {} : listener;
		if (cancel == null) {
			try (var token = new CancellationToken()) {
				return prepare(rgb, count, adapt, overTissue, safeListener, token);
			}
		}
		String json = cancel.use(token -> withHandle(
				predictor -> NativeBridge.predictorPrepare(predictor, rgb, count, adapt, overTissue, safeListener, token)));
		var found = new Gson().fromJson(json, JsonObject.class);
		return new SlideShift(number(found.get("score")), number(found.get("threshold")),
				found.getAsJsonArray("lines").asList().stream().map(JsonElement::getAsString).toList(),
				found.get("warning").isJsonNull() ? Optional.empty() : Optional.of(found.get("warning").getAsString()));
	}

	private static OptionalDouble number(JsonElement value) {
		return value == null || value.isJsonNull() ? OptionalDouble.empty() : OptionalDouble.of(value.getAsDouble());
	}

	/**
	 * Classifies tiles in batches on a native worker thread.
	 * @param rgb a direct buffer of {@code count} packed RGB tiles at {@link #tileSize()}, from position 0
	 * @param count the number of tiles
	 * @param listener progress receiver, or null
	 * @param cancel token that stops between batches, or null
	 * @return {@code count × classes} probabilities, tile by tile
	 */
	public float[] classify(ByteBuffer rgb, int count, ProgressListener listener, CancellationToken cancel) {
		if (!rgb.isDirect())
			throw new InvalidInputException("tile pixels must be in a direct buffer");
		ProgressListener safeListener = listener == null ? (done, total, message) -> {} : listener;
		if (cancel == null) {
			try (var token = new CancellationToken()) {
				return classify(rgb, count, safeListener, token);
			}
		}
		return cancel.use(token -> withHandle(
				predictor -> NativeBridge.predictorClassify(predictor, rgb, count, safeListener, token)));
	}
}
