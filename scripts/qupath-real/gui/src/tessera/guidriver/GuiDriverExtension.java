package tessera.guidriver;

import java.nio.file.Path;

import qupath.lib.gui.QuPathGUI;
import qupath.lib.gui.extensions.QuPathExtension;

/**
 * A test-only QuPath extension: when QuPath runs with {@code -Dtessera.gui.out=<folder>}, it drives
 * every command of Tessera's menu on a freshly made two-image project (see {@link Driver}), writes
 * {@code report.txt} and screenshots into that folder and exits QuPath with 0 (all PASS) or 1.
 * Without the property it does nothing.
 */
public class GuiDriverExtension implements QuPathExtension {

	private static volatile boolean started;

	@Override
	public void installExtension(QuPathGUI qupath) {
		String out = System.getProperty("tessera.gui.out");
		if (out == null || started)
			return;
		started = true;
		var driver = new Driver(qupath, Path.of(out));
		driver.recordUncaughtExceptions();
		var thread = new Thread(driver::runAndExit, "tessera-gui-driver");
		thread.setDaemon(true);
		thread.start();
	}

	/** QuPath 0.7+ (no {@code @Override}: 0.6 does not declare it). */
	public void installHeadless() {
	}

	@Override
	public String getName() {
		return "Tessera GUI driver (tests only)";
	}

	@Override
	public String getDescription() {
		return "Drives Tessera's menu commands in the real QuPath GUI and reports what ends on screen.";
	}
}
