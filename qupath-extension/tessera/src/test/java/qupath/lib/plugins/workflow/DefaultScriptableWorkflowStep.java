package qupath.lib.plugins.workflow;

import java.util.Map;

/** Test double of QuPath's DefaultScriptableWorkflowStep. */
public class DefaultScriptableWorkflowStep implements WorkflowStep {

	private final String name;
	private final String script;

	public DefaultScriptableWorkflowStep(String name, Map<String, ?> parameterMap, String script) {
		this.name = name;
		this.script = script;
	}

	@Override
	public String getName() {
		return name;
	}

	public String getScript() {
		return script;
	}
}
