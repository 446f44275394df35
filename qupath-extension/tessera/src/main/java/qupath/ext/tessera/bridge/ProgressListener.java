package qupath.ext.tessera.bridge;

/**
 * Receives progress of a long native job.
 * <p>
 * Called from a native worker thread, at most a few times per second, and always once at the end.
 * Implementations must be quick and thread-safe; an exception thrown here stops the job, and the
 * native call that runs it throws that exception.
 */
@FunctionalInterface
public interface ProgressListener {

	/**
	 * Reports that {@code done} of {@code total} units are finished.
	 * @param done units finished
	 * @param total units in all
	 * @param message what the job is doing, for the user
	 */
	void onProgress(long done, long total, String message);
}
