package qupath.lib.plugins;

import java.util.Collection;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.plugins.AbstractTaskRunner} (public/protected constructors and TaskRunner methods only). */
public abstract class AbstractTaskRunner implements TaskRunner {

    protected AbstractTaskRunner() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    protected AbstractTaskRunner(int numThreads) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void runTasks(String message, Collection<? extends Runnable> tasks) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public boolean isCancelled() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
