package qupath.lib.plugins.workflow;

import java.io.Serializable;
import java.util.Map;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.plugins.workflow.WorkflowStep}. */
public interface WorkflowStep extends Serializable {

    String getName();

    Map<String, ?> getParameterMap();
}
