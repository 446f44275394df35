package qupath.lib.plugins.workflow;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.Collection;
import java.util.List;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.plugins.workflow.Workflow}. */
public class Workflow implements Externalizable {

    public Workflow() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public List<WorkflowStep> getSteps() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public WorkflowStep getLastStep() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void addStep(final WorkflowStep step) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void addSteps(final Collection<WorkflowStep> steps) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void replaceLastStep(final WorkflowStep step) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public int size() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isEmpty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public String createScript() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
