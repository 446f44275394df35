package qupath.ext.tessera.bridge;

import java.lang.ref.Cleaner;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * A Java owner of one native object, referenced by a {@code long} handle.
 * <p>
 * The native object is freed exactly once: by {@link #close()}, or by a {@link Cleaner} if the
 * owner becomes unreachable without being closed. Calls in flight hold a read lock, so closing
 * waits for them instead of freeing memory under their feet; a call after close throws
 * {@link IllegalStateException}.
 */
abstract class NativeObject implements AutoCloseable {

	private static final Cleaner CLEANER = Cleaner.create();

	private final ReadWriteLock lock = new ReentrantReadWriteLock();
	private final Cleaner.Cleanable cleanable;
	private long handle;

	/**
	 * @param handle the native handle, owned from now on
	 * @param free the native function that frees it
	 */
	NativeObject(long handle, LongConsumer free) {
		if (handle == 0)
			throw new TesseraException("native library returned no object");
		this.handle = handle;
		// The cleaning action must not reference this object, or it would never become unreachable.
		this.cleanable = CLEANER.register(this, () -> free.accept(handle));
	}

	/**
	 * Runs a native call with this object's handle, keeping the object alive until it returns.
	 * @throws IllegalStateException if the object was closed
	 */
	final <T> T withHandle(LongFunction<T> call) {
		lock.readLock().lock();
		try {
			if (handle == 0)
				throw new IllegalStateException(getClass().getSimpleName() + " has been closed");
			return call.apply(handle);
		} finally {
			lock.readLock().unlock();
		}
	}

	/** Whether {@link #close()} was called. */
	public final boolean isClosed() {
		lock.readLock().lock();
		try {
			return handle == 0;
		} finally {
			lock.readLock().unlock();
		}
	}

	/** Frees the native object; later calls do nothing. Waits for calls in flight to return. */
	@Override
	public final void close() {
		lock.writeLock().lock();
		try {
			if (handle != 0) {
				handle = 0;
				cleanable.clean();
			}
		} finally {
			lock.writeLock().unlock();
		}
	}
}
