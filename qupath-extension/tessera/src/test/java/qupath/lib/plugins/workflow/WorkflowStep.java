package qupath.lib.plugins.workflow;

/** Test double of QuPath's WorkflowStep. */
public interface WorkflowStep {
	String getName();
}
