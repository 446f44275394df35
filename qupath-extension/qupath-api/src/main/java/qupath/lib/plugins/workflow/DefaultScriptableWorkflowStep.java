package qupath.lib.plugins.workflow;

import java.util.Map;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep}. */
public class DefaultScriptableWorkflowStep implements ScriptableWorkflowStep {

    public DefaultScriptableWorkflowStep(final String name, final Map<String, ?> parameterMap, final String script) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public DefaultScriptableWorkflowStep(final String name, final String script) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public String getName() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public Map<String, ?> getParameterMap() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public String getScript() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
