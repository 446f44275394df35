package qupath.lib.gui.panes;

import javafx.scene.layout.Pane;
import org.controlsfx.control.PropertySheet;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.panes.PreferencePane}. */
public class PreferencePane {

    public PreferencePane() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PropertySheet getPropertySheet() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Pane getPane() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
