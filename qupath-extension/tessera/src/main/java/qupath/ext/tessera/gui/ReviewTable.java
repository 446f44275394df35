package qupath.ext.tessera.gui;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.slf4j.LoggerFactory;

import javafx.application.Platform;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import qupath.ext.tessera.ReviewObjects;
import qupath.ext.tessera.Tessera;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.regions.RegionRequest;

/**
 * The review table: the image's review objects with a thumbnail of each tile (and a little
 * around it, read from the image server off the JavaFX thread), the class the model predicted,
 * the score it was picked by and what the user made of it. Selecting a row shows the object in
 * the viewer. Keys: {@code A} accepts the prediction, {@code 1}–{@code 9} give the class of that
 * number in the list below the table, {@code S} skips to the next row. Only review objects still
 * waiting for a class are changed, each through {@link ReviewObjects#classify}.
 */
public final class ReviewTable {

	/** The side of a thumbnail, in screen pixels. */
	static final int THUMBNAIL = 96;

	private final ImageData<BufferedImage> imageData;
	private final TableView<PathObject> table;
	private final List<String> classes;
	private final Map<PathObject, Image> thumbnails = new ConcurrentHashMap<>();
	private final BorderPane pane = new BorderPane();

	/**
	 * @param imageData the image whose review objects are listed
	 * @param show shows a review object in the viewer (centres it and selects it) when its row is selected
	 * @param reader runs the thumbnail reads, off the JavaFX thread
	 */
	public ReviewTable(ImageData<BufferedImage> imageData, Consumer<PathObject> show, Executor reader) {
		this.imageData = imageData;
		var reviews = ReviewObjects.all(imageData);
		var names = new TreeSet<>(Tessera.annotationClasses(imageData).keySet());
		reviews.forEach(r -> names.add(ReviewObjects.predicted(r)));
		classes = List.copyOf(names);
		table = new TableView<>(FXCollections.observableArrayList(reviews));
		table.getColumns().add(thumbnailColumn());
		var reviewName = column("Review object", PathObject::getName);
		reviewName.setPrefWidth(200);
		table.getColumns().add(reviewName);
		table.getColumns().add(column("Predicted", ReviewObjects::predicted));
		table.getColumns().add(column("Score", r -> String.format("%.3f", ReviewObjects.score(r))));
		table.getColumns().add(column("Class", r -> {
			String name = ReviewObjects.className(r);
			return name == null ? "waiting" : name;
		}));
		table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
		table.setPrefSize(700, 460);
		table.getSelectionModel().selectedItemProperty().addListener((v, old, selected) -> {
			if (selected != null)
				show.accept(selected);
		});
		table.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
			if (key(e.getCode()))
				e.consume();
		});
		var help = new StringBuilder("A accept the prediction");
		for (int i = 0; i < Math.min(9, classes.size()); i++)
			help.append(" · ").append(i + 1).append(' ').append(classes.get(i));
		help.append(" · S skip");
		pane.setCenter(table);
		pane.setBottom(new Label(help.toString()));
		reviews.forEach(r -> reader.execute(() -> read(r)));
		if (!reviews.isEmpty())
			table.getSelectionModel().select(0);
	}

	/** @return the table with its key help */
	public BorderPane pane() {
		return pane;
	}

	/** @return the classes the digit keys give, in order (key 1 the first) */
	List<String> classes() {
		return classes;
	}

	/** @return the table */
	TableView<PathObject> table() {
		return table;
	}

	/**
	 * @param review a row's review object
	 * @return its thumbnail, or null while it is being read (or when it could not be read)
	 */
	Image thumbnail(PathObject review) {
		return thumbnails.get(review);
	}

	/**
	 * Acts on a key for the selected row: {@code A} accepts, a digit gives a class, {@code S}
	 * skips; after a class is given the next row is selected.
	 * @param code the key
	 * @return whether the key was used
	 */
	boolean key(KeyCode code) {
		PathObject selected = table.getSelectionModel().getSelectedItem();
		if (selected == null)
			return false;
		String chosen;
		if (code == KeyCode.A)
			chosen = ReviewObjects.predicted(selected);
		else if (code.isDigitKey() && !code.getName().endsWith("0") && digit(code) <= classes.size())
			chosen = classes.get(digit(code) - 1);
		else if (code == KeyCode.S)
			chosen = null;
		else
			return false;
		if (chosen != null && ReviewObjects.isWaiting(selected)) {
			ReviewObjects.classify(imageData, selected, chosen);
			table.refresh();
		}
		table.getSelectionModel().selectNext();
		return true;
	}

	/** The digit of a digit key (main row or keypad). */
	private static int digit(KeyCode code) {
		return code.getName().charAt(code.getName().length() - 1) - '0';
	}

	private static TableColumn<PathObject, String> column(String title, java.util.function.Function<PathObject, String> value) {
		var column = new TableColumn<PathObject, String>(title);
		column.setCellValueFactory(c -> new SimpleStringProperty(value.apply(c.getValue())));
		return column;
	}

	private TableColumn<PathObject, PathObject> thumbnailColumn() {
		var column = new TableColumn<PathObject, PathObject>("Tile");
		column.setCellValueFactory(c -> new SimpleObjectProperty<>(c.getValue()));
		column.setCellFactory(c -> new TableCell<>() {
			private final ImageView view = new ImageView();

			{
				view.setFitWidth(THUMBNAIL);
				view.setFitHeight(THUMBNAIL);
				view.setPreserveRatio(true);
			}

			@Override
			protected void updateItem(PathObject item, boolean empty) {
				super.updateItem(item, empty);
				view.setImage(empty || item == null ? null : thumbnail(item));
				setGraphic(empty ? null : view);
			}
		});
		column.setMinWidth(THUMBNAIL + 8);
		column.setMaxWidth(THUMBNAIL + 8);
		return column;
	}

	/** Reads the object's thumbnail: its tile and half a tile around it, scaled to fit {@link #THUMBNAIL}. */
	private void read(PathObject review) {
		var server = imageData.getServer();
		var roi = review.getROI();
		double margin = roi.getBoundsWidth() / 2;
		int x = (int) Math.max(0, roi.getBoundsX() - margin);
		int y = (int) Math.max(0, roi.getBoundsY() - margin);
		int w = (int) Math.min(server.getWidth() - x, roi.getBoundsWidth() + 2 * margin);
		int h = (int) Math.min(server.getHeight() - y, roi.getBoundsHeight() + 2 * margin);
		double downsample = Math.max(1, Math.max(w, h) / (double) THUMBNAIL);
		try {
			BufferedImage pixels = server.readRegion(RegionRequest.createInstance(server.getPath(), downsample, x, y, w, h));
			int iw = pixels.getWidth(), ih = pixels.getHeight();
			var image = new WritableImage(iw, ih);
			image.getPixelWriter().setPixels(0, 0, iw, ih, PixelFormat.getIntArgbInstance(),
					pixels.getRGB(0, 0, iw, ih, null, 0, iw), 0, iw);
			thumbnails.put(review, image);
			Platform.runLater(table::refresh);
		} catch (IOException | RuntimeException e) {
			LoggerFactory.getLogger(ReviewTable.class).warn("Tessera: no thumbnail of {}: {}", review.getName(), e.getMessage());
		}
	}
}
