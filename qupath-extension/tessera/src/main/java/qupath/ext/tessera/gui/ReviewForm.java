package qupath.ext.tessera.gui;

import javafx.collections.FXCollections;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Spinner;
import javafx.scene.layout.GridPane;
import qupath.ext.tessera.Review;
import qupath.ext.tessera.Tessera;

/**
 * The *Find tiles to review…* form: how many tiles, ranked how, and (with a project open)
 * whether to pick them over all of the project's images.
 */
public final class ReviewForm {

	final Spinner<Integer> count;
	final ComboBox<String> ranking;
	final CheckBox wholeProject;
	private final Form form = new Form();

	/** @param project whether a project is open (then the picks may span its images) */
	public ReviewForm(boolean project) {
		count = form.row("Tiles to review", "How many applied tiles to add as review objects", Form.integers(1, 1000, 20));
		ranking = form.row("Ranked by", "uncertainty: where the model hesitates; loss: where it disagrees most with the "
				+ "class of your annotation holding the tile (label-noise suspects)",
				new ComboBox<>(FXCollections.observableArrayList("uncertainty", "loss")));
		ranking.setValue("uncertainty");
		wholeProject = form.wide(Form.check("Pick over all the project's images (each is saved)", false));
		wholeProject.setDisable(!project);
	}

	/** @return the form */
	public GridPane pane() {
		return form.pane();
	}

	/** @return the job the form describes */
	public Review job() {
		return Tessera.review().count(count.getValue()).by(ranking.getValue());
	}

	/** @return whether to pick over the whole project */
	public boolean wholeProject() {
		return wholeProject.isSelected();
	}
}
