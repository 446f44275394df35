package qupath.ext.tessera.bridge;

/**
 * Lets any thread cancel a long native job.
 * <p>
 * Pass the token to the job, call {@link #cancel()} from elsewhere (a Cancel button, a script);
 * the native core checks it between batches and the job then throws {@link CancelledException},
 * having written nothing.
 */
public final class CancellationToken extends NativeObject {

	/** A token that is not cancelled. */
	public CancellationToken() {
		super(create(), NativeBridge::cancelTokenFree);
	}

	private static long create() {
		NativeLibrary.ensureLoaded();
		return NativeBridge.cancelTokenNew();
	}

	/** Asks the job to stop at its next check. */
	public void cancel() {
		withHandle(token -> {
			NativeBridge.cancelTokenCancel(token);
			return null;
		});
	}

	/** Whether {@link #cancel()} was called. */
	public boolean isCancelled() {
		return withHandle(NativeBridge::cancelTokenIsCancelled);
	}

	/** Runs a native call with this token's handle. */
	<T> T use(java.util.function.LongFunction<T> call) {
		return withHandle(call);
	}
}
