package qupath.ext.tessera.gui;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import qupath.ext.tessera.ProjectModels;

/**
 * *Manage models…*: the models kept in the project (or the preferred folder) with their
 * classes, tile size, resolution, cross-validation and hold-out macro-F1 and training images;
 * buttons to show a model's results, delete it, or list the folder again.
 */
public final class ModelsView {

	final TableView<ProjectModels.Summary> table = new TableView<>();
	final Button results = new Button("Show results…");
	final Button delete = new Button("Delete…");
	private final Path directory;
	private final VBox pane;

	/**
	 * @param directory the model folder
	 * @param onResults called with the chosen model when "Show results…" is pressed
	 * @param onDelete called with the chosen model when "Delete…" is pressed (it confirms, deletes, then calls {@link #refresh})
	 */
	public ModelsView(Path directory, Consumer<ProjectModels.Summary> onResults, Consumer<ProjectModels.Summary> onDelete) {
		this.directory = directory;
		table.getColumns().add(column("Model", ProjectModels.Summary::name));
		table.getColumns().add(column("Classes", m -> String.join(", ", m.classes())));
		table.getColumns().add(column("Tile (px)", m -> Integer.toString(m.tileSize())));
		table.getColumns().add(column("µm/px", m -> number(m.micronsPerPixel())));
		table.getColumns().add(column("CV macro-F1", m -> number(m.crossValidationMacroF1())));
		table.getColumns().add(column("Hold-out macro-F1", m -> number(m.holdOutMacroF1())));
		table.getColumns().add(column("Images", m -> String.join(", ", m.images())));
		table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
		table.setPrefSize(760, 240);
		var refresh = new Button("Refresh");
		refresh.setOnAction(e -> refresh());
		results.setOnAction(e -> onResults.accept(table.getSelectionModel().getSelectedItem()));
		delete.setOnAction(e -> onDelete.accept(table.getSelectionModel().getSelectedItem()));
		results.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
		delete.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
		pane = new VBox(8, new Label("Models in " + directory), table, new HBox(8, results, delete, refresh));
		pane.setPadding(new Insets(12));
		refresh();
	}

	/** Lists the folder again. */
	public void refresh() {
		table.setItems(FXCollections.observableArrayList(ProjectModels.list(directory)));
	}

	/** @return the view */
	public VBox pane() {
		return pane;
	}

	private static TableColumn<ProjectModels.Summary, String> column(String title, Function<ProjectModels.Summary, String> value) {
		var column = new TableColumn<ProjectModels.Summary, String>(title);
		column.setCellValueFactory(row -> new SimpleStringProperty(value.apply(row.getValue())));
		return column;
	}

	private static String number(Double value) {
		return value == null ? "–" : String.format(Locale.ROOT, "%.3f", value);
	}
}
