package qupath.ext.tessera.gui;

import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.stage.Modality;
import javafx.stage.Window;

/**
 * Tessera's result and error dialogs. Each is given its owner explicitly (QuPath's main window):
 * a dialog left to pick its own owner takes the focused window, and when that is a progress
 * window, closing it closes the dialog too. They are not modal, so the user can look at the image
 * while a result stays open.
 */
final class Messages {

	/** The least width of a message, so that the title and text are never cut short. */
	private static final double MIN_WIDTH = 380;

	private Messages() {}

	/**
	 * @param owner the window the dialog belongs to
	 * @param title its title
	 * @param content what it shows
	 * @return the dialog, not yet shown
	 */
	static Dialog<ButtonType> message(Window owner, String title, Node content) {
		var dialog = new Dialog<ButtonType>();
		dialog.getDialogPane().setContent(content);
		return owned(dialog, owner, title);
	}

	/**
	 * @param owner the window the dialog belongs to
	 * @param title its title
	 * @param text what it says
	 * @return the dialog, not yet shown
	 */
	static Dialog<ButtonType> message(Window owner, String title, String text) {
		var label = new Label(text);
		label.setWrapText(true);
		label.setMinWidth(MIN_WIDTH);
		label.setMaxWidth(640);
		return message(owner, title, label);
	}

	/**
	 * @param owner the window the dialog belongs to
	 * @param title its title
	 * @param error what went wrong: its message is shown (the stack trace is in the log)
	 * @return the dialog, not yet shown
	 */
	static Dialog<ButtonType> error(Window owner, String title, Throwable error) {
		var dialog = new Alert(Alert.AlertType.ERROR);
		dialog.setHeaderText(null);
		String message = error.getMessage();
		dialog.setContentText((message == null || message.isBlank() ? error.getClass().getSimpleName() : message)
				+ "\n\nDetails are in QuPath's log.");
		dialog.getDialogPane().setMinWidth(MIN_WIDTH);
		return owned(dialog, owner, title);
	}

	private static Dialog<ButtonType> owned(Dialog<ButtonType> dialog, Window owner, String title) {
		dialog.initOwner(owner);
		dialog.initModality(Modality.NONE);
		dialog.setTitle(title);
		dialog.setResizable(true);
		dialog.getDialogPane().getButtonTypes().setAll(ButtonType.OK);
		return dialog;
	}
}
