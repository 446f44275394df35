package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import qupath.ext.tessera.bridge.NativeLibrary;
import qupath.fx.dialogs.Dialogs;
import qupath.ext.tessera.gui.TesseraCommands;
import qupath.ext.tessera.gui.TesseraPreferences;
import qupath.lib.common.Version;
import qupath.lib.gui.QuPathGUI;
import qupath.lib.gui.UserDirectoryManager;
import qupath.lib.gui.extensions.QuPathExtension;
import qupath.lib.images.ImageData;
import qupath.lib.projects.ProjectImageEntry;

/**
 * The Tessera extension: adds {@code Extensions > Tessera} to QuPath (train, apply, evaluate,
 * export tiles, manage models, run for project, check installation) and its preferences.
 * <p>
 * Registered through {@code META-INF/services}. Native libraries are extracted under the QuPath
 * user directory ({@code tessera/natives}) and loaded on first use, off the JavaFX thread.
 */
public class TesseraExtension implements QuPathExtension {

	/** The menu Tessera's commands live in. */
	static final String MENU = "Extensions>Tessera";

	@Override
	public void installExtension(QuPathGUI qupath) {
		useUserDirectoryForNatives();
		var preferences = new TesseraPreferences();
		preferences.install(qupath);
		new TesseraCommands(qupath, preferences).install(MENU);
		Application.useOpenImages(entry -> openData(qupath, entry));
		Application.useNotifications(message -> Dialogs.showWarningNotification("Tessera: out of distribution", message));
	}

	/** @return the data of {@code entry} if a viewer has it open, else null */
	private static ImageData<BufferedImage> openData(QuPathGUI qupath, ProjectImageEntry<BufferedImage> entry) {
		var project = qupath.getProject();
		if (project == null)
			return null;
		for (var viewer : qupath.getAllViewers()) {
			var imageData = viewer.getImageData();
			if (imageData != null && entry.equals(project.getEntry(imageData)))
				return imageData;
		}
		return null;
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
}
