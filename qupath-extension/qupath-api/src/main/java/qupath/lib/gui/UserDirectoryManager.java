package qupath.lib.gui;

import java.nio.file.Path;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.UserDirectoryManager} (the 0.5+ home of getUserPath()). */
public class UserDirectoryManager {

    private UserDirectoryManager() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static UserDirectoryManager getInstance() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ObjectProperty<Path> userDirectoryProperty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ReadOnlyObjectProperty<Path> extensionsDirectoryProperty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Path getUserPath() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Path getExtensionsPath() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
