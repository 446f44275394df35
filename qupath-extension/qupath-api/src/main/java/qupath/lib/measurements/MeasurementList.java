package qupath.lib.measurements;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.measurements.MeasurementList} (non-deprecated members). */
public interface MeasurementList extends Serializable, AutoCloseable {

    /** Mirrors {@code MeasurementList.MeasurementListType}. */
    enum MeasurementListType {
        GENERAL, DOUBLE, FLOAT
    }

    void put(String name, double value);

    default double getOrDefault(String name, double defaultValue) {
        return defaultValue;
    }

    default double[] values() {
        return new double[0];
    }

    default double remove(String name) {
        return Double.NaN;
    }

    default void putAll(Map<String, ? extends Number> map) {
    }

    default void putAll(MeasurementList list) {
    }

    default Set<String> keySet() {
        return Set.of();
    }

    List<String> getMeasurementNames();

    double get(String name);

    boolean containsKey(String name);

    boolean isEmpty();

    int size();

    @Override
    void close();

    void removeMeasurements(String... measurementNames);

    void clear();

    default Map<String, Double> asMap() {
        return Map.of();
    }
}
