package qupath.lib.plugins.workflow;

import java.util.ArrayList;
import java.util.List;

/** Test double of QuPath's Workflow. */
public class Workflow {

	private final List<WorkflowStep> steps = new ArrayList<>();

	public void addStep(WorkflowStep step) {
		steps.add(step);
	}

	public List<WorkflowStep> getSteps() {
		return List.copyOf(steps);
	}
}
