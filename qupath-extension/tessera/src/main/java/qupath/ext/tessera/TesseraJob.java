package qupath.ext.tessera;

import qupath.ext.tessera.bridge.CancellationToken;
import qupath.ext.tessera.bridge.CancelledException;
import qupath.ext.tessera.bridge.ProgressListener;

/**
 * Options every Tessera job shares: where progress goes and what cancels it.
 * @param <J> the job's own type, returned by the builder methods
 */
public abstract class TesseraJob<J extends TesseraJob<J>> {
	ProgressListener progress;
	CancellationToken cancel;
	Long maxTiles;

	TesseraJob() {}

	/**
	 * @param listener receives (done, total, message) while the job runs
	 * @return this job
	 */
	public J progress(ProgressListener listener) {
		this.progress = listener;
		return self();
	}

	/**
	 * @param token cancelling it stops the job with nothing written or added
	 * @return this job
	 */
	public J cancel(CancellationToken token) {
		this.cancel = token;
		return self();
	}

	/**
	 * @param tiles the most tiles to make, 0 for no limit; by default a plan of more than a million
	 *     tiles is refused ({@link qupath.ext.tessera.bridge.TooManyTilesException}) with its estimate,
	 *     as a likely mistake in the tile size, overlap or resolution
	 * @return this job
	 */
	public J maxTiles(long tiles) {
		this.maxTiles = tiles;
		return self();
	}

	/** @return the Groovy call that sets the limit on tiles, when one was set */
	String maxTilesScript() {
		return maxTiles == null ? "" : ".maxTiles(" + maxTiles + ")";
	}

	/** Reports {@code message} at {@code done} of {@code total} when a listener is set. */
	void report(long done, long total, String message) {
		if (progress != null)
			progress.onProgress(done, total, message);
	}

	/** @throws CancelledException if the job was cancelled */
	void checkCancelled() {
		if (cancel != null && cancel.isCancelled())
			throw new CancelledException("cancelled");
	}

	abstract J self();
}
