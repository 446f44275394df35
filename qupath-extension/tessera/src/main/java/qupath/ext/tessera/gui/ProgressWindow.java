package qupath.ext.tessera.gui;

import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import qupath.ext.tessera.bridge.CancellationToken;
import qupath.ext.tessera.bridge.ProgressListener;

/**
 * A window showing a running job's stage, progress and estimated time left, with a Cancel
 * button. It receives progress from any thread and updates itself on the JavaFX thread.
 */
public final class ProgressWindow implements ProgressListener {

	final Label stage = new Label("Starting…");
	final ProgressBar bar = new ProgressBar(ProgressBar.INDETERMINATE_PROGRESS);
	final Label remaining = new Label(" ");
	final Button cancel = new Button("Cancel");
	private final VBox pane;
	private final long started = System.nanoTime();
	private Stage window;

	/**
	 * @param token cancelled by the Cancel button
	 */
	public ProgressWindow(CancellationToken token) {
		bar.setMaxWidth(Double.MAX_VALUE);
		cancel.setOnAction(e -> {
			token.cancel();
			cancel.setDisable(true);
			stage.setText("Cancelling… (nothing is written)");
		});
		pane = new VBox(8, stage, bar, remaining, cancel);
		pane.setPadding(new Insets(14));
		pane.setPrefWidth(420);
	}

	/** @return the window's content */
	public VBox pane() {
		return pane;
	}

	/**
	 * Shows the window.
	 * @param owner the window it belongs to, or null
	 * @param title its title
	 */
	public void show(Window owner, String title) {
		window = new Stage();
		window.initOwner(owner);
		window.initModality(Modality.NONE);
		window.setTitle(title);
		window.setScene(new Scene(pane));
		window.setOnCloseRequest(e -> cancel.fire());
		window.show();
	}

	/** Closes the window; call on the JavaFX thread. */
	void closeNow() {
		if (window != null)
			window.close();
	}

	/** @return the window, or null before it is shown */
	Stage window() {
		return window;
	}

	@Override
	public void onProgress(long done, long total, String message) {
		double elapsed = (System.nanoTime() - started) / 1e9;
		Platform.runLater(() -> {
			if (!cancel.isDisabled())
				stage.setText(message);
			bar.setProgress(total > 0 ? (double) done / total : ProgressBar.INDETERMINATE_PROGRESS);
			remaining.setText(eta(elapsed, done, total));
		});
	}

	/**
	 * @param elapsedSeconds time since the stage began
	 * @param done work done
	 * @param total all the work
	 * @return the estimated time left, e.g. {@code about 2 min left}, or blank when unknown
	 */
	static String eta(double elapsedSeconds, long done, long total) {
		if (done <= 0 || total <= 0 || done >= total)
			return " ";
		double left = elapsedSeconds * (total - done) / done;
		if (left < 60)
			return "about " + Math.max(1, Math.round(left)) + " s left";
		if (left < 3600)
			return "about " + Math.round(left / 60) + " min left";
		return String.format(java.util.Locale.ROOT, "about %.1f h left", left / 3600);
	}
}
