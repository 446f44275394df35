package qupath.lib.plugins;

import java.util.function.IntFunction;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.plugins.TaskRunnerUtils}. */
public class TaskRunnerUtils {

    private TaskRunnerUtils() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static TaskRunnerUtils getDefaultInstance() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static TaskRunnerUtils newInstance() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static IntFunction<TaskRunner> getDefaultCreateFunction() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public TaskRunnerUtils setCreateHeadlessFunction(IntFunction<TaskRunner> function) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public TaskRunnerUtils setCreateFunction(IntFunction<TaskRunner> function) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public TaskRunner createTaskRunner() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public TaskRunner createTaskRunner(int nThreads) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public TaskRunner createHeadlessTaskRunner() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public TaskRunner createHeadlessTaskRunner(int nThreads) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
