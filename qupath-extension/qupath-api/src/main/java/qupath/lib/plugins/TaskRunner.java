package qupath.lib.plugins;

import java.util.Collection;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.plugins.TaskRunner}. */
public interface TaskRunner {

    boolean isCancelled();

    default void runTasks(Collection<? extends Runnable> tasks) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    void runTasks(String message, Collection<? extends Runnable> tasks);
}
