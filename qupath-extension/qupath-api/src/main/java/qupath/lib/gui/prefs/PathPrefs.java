package qupath.lib.gui.prefs;

import java.nio.file.Path;
import java.util.function.Function;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.StringProperty;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.prefs.PathPrefs}. */
public class PathPrefs {

    public static BooleanProperty createPersistentPreference(final String name, final boolean defaultValue) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static IntegerProperty createPersistentPreference(final String name, final int defaultValue) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static DoubleProperty createPersistentPreference(final String name, final double defaultValue) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static LongProperty createPersistentPreference(final String name, final long defaultValue) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static StringProperty createPersistentPreference(final String name, final String defaultValue) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static <T extends Enum<T>> ObjectProperty<T> createPersistentPreference(final String name, final T defaultValue, final Class<T> enumType) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static <T> ObjectProperty<T> createPersistentPreference(final String name, final T defaultValue,
            final Function<T, String> serializer, final Function<String, T> deserializer) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static IntegerProperty numCommandThreadsProperty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ObjectProperty<String> userPathProperty() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Path getDefaultQuPathUserDirectory() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static boolean savePreferences() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
