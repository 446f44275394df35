package qupath.lib.gui;

import qupath.lib.plugins.AbstractTaskRunner;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.TaskRunnerFX}. */
public class TaskRunnerFX extends AbstractTaskRunner {

    public TaskRunnerFX(final QuPathGUI qupath) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public TaskRunnerFX(final QuPathGUI qupath, final int nThreads) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
