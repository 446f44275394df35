package qupath.lib.gui;

import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.SharedThreadPoolManager}. */
public class SharedThreadPoolManager implements AutoCloseable {

    private SharedThreadPoolManager() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static SharedThreadPoolManager create() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ExecutorService getSingleThreadExecutor(final Object owner) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public <V> ExecutorCompletionService<V> createSharedPoolCompletionService(Class<V> cls) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void submitShortTask(final Runnable runnable) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
