package qupath.lib.gui;

import java.awt.image.BufferedImage;
import java.util.Collection;
import java.util.function.Consumer;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.collections.ObservableList;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.stage.Stage;
import org.controlsfx.control.action.Action;
import qupath.lib.common.Version;
import qupath.lib.gui.panes.PreferencePane;
import qupath.lib.gui.viewer.QuPathViewer;
import qupath.lib.images.ImageData;
import qupath.lib.projects.Project;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.QuPathGUI}. */
public class QuPathGUI {

    private QuPathGUI() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static QuPathGUI getInstance() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Version getVersion() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static String getBuildString() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ImageData<BufferedImage> getImageData() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ReadOnlyObjectProperty<ImageData<BufferedImage>> imageDataProperty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Project<BufferedImage> getProject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ReadOnlyObjectProperty<Project<BufferedImage>> projectProperty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void setProject(final Project<BufferedImage> project) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void refreshProject() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public ObservableList<QuPathViewer> getAllViewers() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public QuPathViewer getViewer() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Stage getStage() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public MenuBar getMenuBar() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public Menu getMenu(final String name, final boolean createMenu) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public MenuItem installCommand(String menuPath, Runnable runnable) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public MenuItem installImageDataCommand(String menuPath, final Consumer<ImageData<BufferedImage>> command) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public void installActions(Collection<? extends Action> actions) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public SharedThreadPoolManager getThreadPoolManager() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public PreferencePane getPreferencePane() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public boolean isReadOnly() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
