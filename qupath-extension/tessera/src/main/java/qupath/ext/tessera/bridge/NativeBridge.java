package qupath.ext.tessera.bridge;

import java.nio.ByteBuffer;

/**
 * Every native method of Tessera, in one place.
 * <p>
 * The native library registers these methods explicitly when {@link #registerNatives()} is
 * called; {@link NativeLibrary} then checks that every method declared here was registered with
 * the same signature, so a Java and a native library that drifted apart are refused at load time
 * rather than failing later with {@link UnsatisfiedLinkError}.
 * <p>
 * Handles ({@code long}) are owned by the public wrappers ({@link NativeObject}'s subclasses:
 * {@link OnnxModel}, {@link CancellationToken}, {@link TilePredictor}, {@link TileStore},
 * {@link NativeSlide}); nothing else may pass them around. Failures arrive as
 * {@link TesseraException} subclasses.
 */
final class NativeBridge {

	private NativeBridge() {}

	/** Registers the methods below; returns each as {@code name + JNI descriptor}. */
	static native String[] registerNatives();

	/** The native library's version, which must equal the jar's. */
	static native String version();

	/** Loads ONNX Runtime from the given library file; returns its build description. */
	static native String initRuntime(String library);

	static native long cancelTokenNew();

	static native void cancelTokenCancel(long token);

	static native boolean cancelTokenIsCancelled(long token);

	static native void cancelTokenFree(long token);

	/** Loads a serialised ONNX model; returns its handle. */
	static native long modelLoad(byte[] onnx, int threads);

	static native void modelFree(long model);

	/**
	 * Runs the model over {@code values} floats of {@code rows} (a direct buffer in native order),
	 * {@code rowLength} values a row, {@code batch} rows per inference, on a native worker thread.
	 */
	static native float[] modelRunRows(long model, ByteBuffer rows, int values, int rowLength, int batch,
			ProgressListener listener, long cancelToken);

	/** Serialises the probe model {@code softmax(x·W + b)}. */
	static native byte[] probeModel(float[] weights, float[] bias, int features);

	/** The colour backbone (channel means and maxima) for {@code side}-pixel tiles. */
	static native byte[] probeBackbone(int side);

	/**
	 * Plans tiles inside annotations (WKB, class or null, id or null); returns
	 * {@code {"plan": …, "selection": …}} as JSON.
	 */
	static native String planTiles(String image, long width, long height, double pixelSizeMicrons,
			byte[][] geometries, String[] classes, String[] ids, String spec);

	/** Plans tiles over an image's tissue, detected on a packed RGB thumbnail (direct buffer) of the whole image. */
	static native String planTissueTiles(String image, long width, long height, double pixelSizeMicrons, ByteBuffer thumbnail,
			int thumbnailWidth, int thumbnailHeight, String spec);

	/** Opens a JPEG-tiled TIFF pyramid the core reads itself; 0 when it cannot. */
	static native long slideOpen(String path, double pixelSizeMicrons);

	/** The slide's levels as JSON ({@code [{"width", "height", "downsample"}, …]}). */
	static native String slideLevels(long slide);

	/** Reads level-0 rectangles ({@code x, y, w, h} after one another) as packed RGB tiles of {@code size²} into {@code rgb}. */
	static native void slideRead(long slide, long[] rectangles, int size, ByteBuffer rgb);

	/** Plans tiles over the slide's tissue, as {@code tessera apply} does. */
	static native String slidePlanTissue(long slide, String image, String spec);

	static native void slideFree(long slide);

	/** A tile store of {@code side × side} RGB tiles labelled with {@code classes}. */
	static native long tileStoreNew(int side, String[] classes);

	/** Adds {@code count} packed RGB tiles (direct buffer) with their labels and groups. */
	static native void tileStoreAdd(long store, ByteBuffer rgb, int count, int[] labels, long[] groups);

	/**
	 * Adds packed RGB patches (direct buffer) placed at level-0 {@code positions} (x, y a patch),
	 * planned in {@code polygonIds}, at {@code downsample}, with their groups; the core paints each
	 * patch's label mask from the {@code labels} handle and skips patches with no labelled pixel.
	 * Returns how many it added.
	 */
	static native int tileStoreAddPatches(long store, ByteBuffer rgb, long[] positions, String[] polygonIds,
			double downsample, long[] groups, long labels);

	static native int tileStoreSize(long store);

	/** An image's classified annotations (WKB, class or null, id), patches grouped by image or by polygon. */
	static native long patchLabelsNew(String image, byte[][] geometries, String[] classes, String[] ids, boolean byImage);

	static native void patchLabelsFree(long labels);

	/** A segmentation by a segmenter predictor of tiles {@code rectangles} (x, y, w, h each) of a plan at {@code downsample}. */
	static native long segmenterNew(long predictor, long[] rectangles, double downsample);

	/** The order the tiles' pixels must be given in, as indices into the rectangles. */
	static native int[] segmenterOrder(long segmenter);

	/** Predicts and blends the next {@code count} packed RGB tiles (direct buffer) in that order. */
	static native void segmenterAdd(long segmenter, ByteBuffer rgb, int count);

	/**
	 * The traced regions as JSON {@code [{"class", "wkb" (hex)}]}; tracing options as JSON, areas in µm²;
	 * each class's heatmap written into the folder {@code heatmaps} as {@code <class>.png} unless it is null.
	 */
	static native String segmenterFinish(long segmenter, String tracing, double pixelSizeMicrons, String heatmaps);

	static native void segmenterFree(long segmenter);

	static native void tileStoreFree(long store);

	/** Trains on a store as the JSON request says and writes the package; returns its metrics as JSON. */
	static native String trainPackage(long store, String request, String modelPath, ProgressListener listener,
			long cancelToken);

	/**
	 * Loads a model package (or bare ONNX + config.json) for tile classification on a device
	 * ({@code cpu}, {@code cuda[:N]}) in a precision ({@code auto}, {@code fp32}, {@code int8}).
	 */
	static native long predictorLoad(String path, int threads, String device, String precision);

	/** Which of the package's models runs, as JSON: {@code {"int8": bool, "reason": "…", "warning": "…" or null}}. */
	static native String predictorPrecision(long predictor);

	/** The normalised entropy and top-2 margin of each {@code classes}-long row of probabilities, interleaved. */
	static native float[] uncertainty(float[] probabilities, int classes);

	/** The measurement names of the entropy, the margin and a review object's score, one per line. */
	static native String uncertaintyNames();

	/**
	 * The applied tiles to review next, picked by the core over several images' concatenated
	 * arrays (see {@link ReviewPicker}); the picks as JSON {@code [{image, tile, score, name}]}.
	 */
	static native String reviewPick(String ranking, int count, String[] classes, String[] images, int[] tiles,
			double[] boxes, double[] entropy, int[] predicted, double[] probabilities, int[] annotations,
			byte[][] geometries, String[] annotationClasses);

	/** Why the predictor runs on the CPU rather than the device asked for, or an empty string. */
	static native String predictorDeviceWarning(long predictor);

	/** The package's metadata ({@code tessera.json}) as JSON. */
	static native String predictorMetadata(long predictor);

	/** Class probabilities of {@code count} packed RGB tiles at the model's tile size. */
	static native float[] predictorClassify(long predictor, ByteBuffer rgb, int count, ProgressListener listener,
			long cancelToken);

	/**
	 * Prepares the predictor for an image from {@code count} packed RGB tiles spread over it (stain
	 * normalisation fitted, out-of-distribution score, with {@code adapt} AdaBN); what it found as
	 * JSON (see {@code TilePredictor.SlideShift}).
	 */
	static native String predictorPrepare(long predictor, ByteBuffer rgb, int count, boolean adapt,
			boolean overTissue, ProgressListener listener, long cancelToken);

	static native void predictorFree(long predictor);

	/** {@code name} as one safe file name (see {@link FileNames}). */
	static native String safeFileName(String name);

	/** The evaluation report of {@code probabilities} ({@code truth.length × classes.length}) against {@code truth}, as JSON. */
	static native String evaluate(String[] classes, int[] truth, float[] probabilities, long seed);
}
