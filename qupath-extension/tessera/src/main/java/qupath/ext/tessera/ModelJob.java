package qupath.ext.tessera;

import java.nio.file.Path;

import org.slf4j.LoggerFactory;

import qupath.ext.tessera.bridge.TilePlanner;
import qupath.ext.tessera.bridge.TilePredictor;

/**
 * A job that runs a trained model on the tiles inside annotations, at the model's own tile size
 * and resolution: application and evaluation.
 * @param <J> the job's own type, returned by the builder methods
 */
public abstract class ModelJob<J extends ModelJob<J>> extends TesseraJob<J> {
	final String model;
	double minCoverage = 0.5;
	int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
	String device = "cpu";
	String precision = "auto";

	ModelJob(String model) {
		this.model = model;
	}

	/** @return this job classifying tiles covered at least {@code fraction} by their annotation */
	public J minCoverage(double fraction) {
		this.minCoverage = fraction;
		return self();
	}

	/** @return this job running ONNX Runtime on {@code threads} threads */
	public J threads(int threads) {
		this.threads = threads;
		return self();
	}

	/**
	 * @param device {@code cpu} (the default), {@code cuda} or {@code cuda:N}: CUDA needs an
	 *        onnxruntime-gpu library and falls back to the CPU with a warning in the log otherwise
	 * @return this job
	 */
	public J device(String device) {
		this.device = device;
		return self();
	}

	/**
	 * @param precision {@code auto} (the default: the package's int8 model where it passed the
	 *        package's accuracy guard and the model runs on the CPU, else its float model),
	 *        {@code fp32} or {@code int8}
	 * @return this job
	 */
	public J precision(String precision) {
		this.precision = precision;
		return self();
	}

	/** @return the model, loaded (which model runs is logged, and a fallback from the device asked for) */
	TilePredictor load() {
		var predictor = new TilePredictor(Path.of(model), threads, device, precision);
		var log = LoggerFactory.getLogger(ModelJob.class);
		predictor.deviceWarning().ifPresent(warning -> log.warn("Tessera: {}", warning));
		var chosen = predictor.precision();
		log.info("Tessera: {}", chosen.reason());
		chosen.warning().ifPresent(warning -> log.warn("Tessera: {}", warning));
		return predictor;
	}

	/** @return the tiles the model reads: its tile size and resolution, no overlap */
	TilePlanner.Spec spec(TilePredictor predictor) {
		return new TilePlanner.Spec(predictor.tileSize(), predictor.micronsPerPixel(), predictor.downsample(), 0,
				minCoverage, null, maxTiles);
	}

	/** @return the Groovy start of this job: {@code qupath.ext.tessera.Tessera.<factory>('model').minCoverage(…)} */
	String scriptStart(String factory) {
		String onDevice = device.equals("cpu") ? "" : ".device(" + Scripts.quoted(device) + ")";
		String inPrecision = precision.equals("auto") ? "" : ".precision(" + Scripts.quoted(precision) + ")";
		return "qupath.ext.tessera.Tessera." + factory + "(" + Scripts.quoted(model) + ").minCoverage("
				+ Scripts.number(minCoverage) + ")" + onDevice + inPrecision + maxTilesScript();
	}
}
