package qupath.ext.tessera.gui;

import java.nio.file.Path;
import java.util.Optional;

import org.controlsfx.control.PropertySheet;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.Property;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import qupath.lib.gui.QuPathGUI;
import qupath.lib.gui.prefs.PathPrefs;

/**
 * Tessera's persistent preferences (QuPath's {@link PathPrefs}), shown in QuPath's preference
 * pane under "Tessera": where models go without a project, ONNX Runtime threads, and the default
 * tile size and resolution of new models.
 */
public final class TesseraPreferences {

	private final StringProperty modelDirectory;
	private final IntegerProperty threads;
	private final IntegerProperty tileSize;
	private final DoubleProperty micronsPerPixel;

	/** Creates (or reloads) the persistent preferences. */
	public TesseraPreferences() {
		Path home = Path.of(System.getProperty("user.home"), "Tessera", "models");
		modelDirectory = PathPrefs.createPersistentPreference("tessera.modelDirectory", home.toString());
		threads = PathPrefs.createPersistentPreference("tessera.threads", Math.max(1, Runtime.getRuntime().availableProcessors()));
		tileSize = PathPrefs.createPersistentPreference("tessera.tileSize", 64);
		micronsPerPixel = PathPrefs.createPersistentPreference("tessera.micronsPerPixel", 0.5);
	}

	/** @return the current values as dialog defaults */
	public Defaults defaults() {
		return new Defaults(tileSize.get(), micronsPerPixel.get(), threads.get(), Path.of(modelDirectory.get()));
	}

	/**
	 * Adds the preferences to QuPath's preference pane.
	 * @param qupath the QuPath window
	 */
	public void install(QuPathGUI qupath) {
		var items = qupath.getPreferencePane().getPropertySheet().getItems();
		items.add(new Item<>(modelDirectory, String.class, "Model folder", "Where models are saved when no project is open"));
		items.add(new Item<>(threads, Integer.class, "Threads", "ONNX Runtime threads for training and inference"));
		items.add(new Item<>(tileSize, Integer.class, "Default tile size (px)", "Tile side of new models"));
		items.add(new Item<>(micronsPerPixel, Double.class, "Default resolution (µm/px)", "Pixel size new models read tiles at"));
	}

	/** One preference as a property-sheet row. */
	private record Item<T>(Property<? super T> property, Class<T> type, String name, String description)
			implements PropertySheet.Item {

		@Override
		public Class<?> getType() {
			return type;
		}

		@Override
		public String getCategory() {
			return "Tessera";
		}

		@Override
		public String getName() {
			return name;
		}

		@Override
		public String getDescription() {
			return description;
		}

		@Override
		public Object getValue() {
			return property.getValue();
		}

		@Override
		public void setValue(Object value) {
			property.setValue(type.cast(value instanceof Number n && type == Integer.class ? n.intValue() : value));
		}

		@Override
		public Optional<ObservableValue<? extends Object>> getObservableValue() {
			return Optional.of(property);
		}
	}
}
