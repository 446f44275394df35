package qupath.ext.tessera.gui;

import java.nio.file.Path;
import java.util.List;

import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.CheckBoxListCell;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

/** A two-column form: a label and a control per row, with the controls the dialogs share. */
final class Form {

	private final GridPane grid = new GridPane();
	private int rows;

	Form() {
		grid.setHgap(10);
		grid.setVgap(8);
		grid.setPadding(new Insets(12));
	}

	/** Adds a row: {@code label} (with {@code help} as tooltip) and {@code control}; returns the control. */
	<N extends Node> N row(String label, String help, N control) {
		var text = new Label(label);
		text.setTooltip(new Tooltip(help));
		if (control instanceof javafx.scene.control.Control c)
			c.setTooltip(new Tooltip(help));
		grid.addRow(rows++, text, control);
		GridPane.setHgrow(control, Priority.ALWAYS);
		return control;
	}

	/** Adds a control across both columns. */
	<N extends Node> N wide(N node) {
		grid.add(node, 0, rows++, 2, 1);
		return node;
	}

	/** @return the form */
	GridPane pane() {
		return grid;
	}

	/** @return an editable integer spinner */
	static Spinner<Integer> integers(int min, int max, int value) {
		var spinner = new Spinner<Integer>(min, max, value);
		spinner.setEditable(true);
		return spinner;
	}

	/** @return an editable decimal spinner */
	static Spinner<Double> decimals(double min, double max, double value, double step) {
		var spinner = new Spinner<Double>(min, max, value, step);
		spinner.setEditable(true);
		return spinner;
	}

	/** @return a text field holding {@code path} */
	static TextField path(Path path) {
		var field = new TextField(path == null ? "" : path.toString());
		field.setPrefColumnCount(36);
		return field;
	}

	/** @return a checked list of {@code names}, every one checked */
	static ListView<Choice> checklist(List<String> names) {
		var list = new ListView<Choice>(FXCollections.observableArrayList(names.stream().map(Choice::new).toList()));
		list.setCellFactory(CheckBoxListCell.forListView(choice -> choice.chosen));
		list.setPrefHeight(Math.min(160, 26 * Math.max(2, names.size()) + 4));
		return list;
	}

	/** @return the names checked in a {@link #checklist} */
	static List<String> checked(ListView<Choice> list) {
		return list.getItems().stream().filter(c -> c.chosen.get()).map(c -> c.name).toList();
	}

	/** @return a check box */
	static CheckBox check(String text, boolean selected) {
		var box = new CheckBox(text);
		box.setSelected(selected);
		return box;
	}

	/** An item of a checked list. */
	static final class Choice {
		final String name;
		final javafx.beans.property.BooleanProperty chosen = new javafx.beans.property.SimpleBooleanProperty(true);

		Choice(String name) {
			this.name = name;
		}

		@Override
		public String toString() {
			return name;
		}
	}
}
