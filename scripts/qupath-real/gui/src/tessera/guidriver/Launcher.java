package tessera.guidriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import qupath.lib.gui.prefs.PathPrefs;

/**
 * Starts the real QuPath GUI ({@code qupath.QuPath}) with a given user directory, so that the jars
 * in {@code <userDir>/extensions} (Tessera and the GUI driver) are loaded exactly as in an installed
 * QuPath. Run it with {@code -Duser.home=<temp>} so that QuPath's Java preferences stay in a
 * throw-away folder.
 * <p>
 * Usage: {@code Launcher <userDir> [QuPath arguments…]}
 */
public final class Launcher {

	private Launcher() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 1) {
			System.err.println("usage: Launcher <userDir> [qupath args]");
			System.exit(2);
		}
		Path userDir = Path.of(args[0]).toAbsolutePath();
		Files.createDirectories(userDir.resolve("extensions"));
		// The same preference "Edit > Preferences > User directory" sets; extensions load from <userDir>/extensions.
		PathPrefs.userPathProperty().set(userDir.toString());
		PathPrefs.showStartupMessageProperty().set(false);
		qupath.QuPath.main(Arrays.copyOfRange(args, 1, args.length));
	}
}
