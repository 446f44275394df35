package qupath.lib.plugins.workflow;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.plugins.workflow.ScriptableWorkflowStep}. */
public interface ScriptableWorkflowStep extends WorkflowStep {

    String getScript();
}
