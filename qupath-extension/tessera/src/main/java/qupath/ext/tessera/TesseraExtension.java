package qupath.ext.tessera;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javafx.application.Platform;
import qupath.ext.tessera.bridge.Diagnostics;
import qupath.ext.tessera.bridge.NativeLibrary;
import qupath.ext.tessera.bridge.TesseraException;
import qupath.ext.tessera.gui.TesseraCommands;
import qupath.ext.tessera.gui.TesseraPreferences;
import qupath.fx.dialogs.Dialogs;
import qupath.lib.common.Version;
import qupath.lib.gui.QuPathGUI;
import qupath.lib.gui.UserDirectoryManager;
import qupath.lib.gui.extensions.QuPathExtension;

/**
 * The Tessera extension: adds {@code Extensions > Tessera} to QuPath (train, apply, evaluate,
 * export tiles, manage models, run for project, check installation) and its preferences.
 * <p>
 * Registered through {@code META-INF/services}. Native libraries are extracted under the QuPath
 * user directory ({@code tessera/natives}) and loaded on first use, off the JavaFX thread.
 */
public class TesseraExtension implements QuPathExtension {

	private static final Logger logger = LoggerFactory.getLogger(TesseraExtension.class);

	/** The menu Tessera's commands live in. */
	static final String MENU = "Extensions>Tessera";

	@Override
	public void installExtension(QuPathGUI qupath) {
		useUserDirectoryForNatives();
		var preferences = new TesseraPreferences();
		preferences.install(qupath);
		new TesseraCommands(qupath, preferences).install(MENU);
		qupath.installCommand(MENU + ">Check installation", () -> checkInstallation(qupath));
	}

	/**
	 * Called by QuPath 0.7+ when it runs without its user interface (scripts, batch); deliberately
	 * not annotated with {@code @Override}, as QuPath 0.6 does not declare it.
	 */
	public void installHeadless() {
		useUserDirectoryForNatives();
	}

	@Override
	public String getName() {
		return "Tessera";
	}

	@Override
	public String getDescription() {
		return "Train deep-learning tile classifiers on your annotations and apply them to whole slides, "
				+ "with no Python, CUDA or other installation: everything runs in Tessera's native core.";
	}

	@Override
	public Version getQuPathVersion() {
		return Version.parse("0.6.0");
	}

	private static void useUserDirectoryForNatives() {
		Path userPath = UserDirectoryManager.getInstance().getUserPath();
		if (userPath != null)
			NativeLibrary.setCacheRoot(userPath.resolve("tessera").resolve("natives"));
	}

	private void checkInstallation(QuPathGUI qupath) {
		qupath.getThreadPoolManager().getSingleThreadExecutor(this).submit(() -> {
			try {
				String report = Diagnostics.report();
				logger.info("Tessera installation check:\n{}", report);
				Platform.runLater(() -> Dialogs.showMessageDialog("Tessera", report));
			} catch (TesseraException e) {
				logger.error("Tessera installation check failed", e);
				Platform.runLater(() -> Dialogs.showErrorMessage("Tessera", e));
			}
		});
	}
}
