package qupath.lib.measurements;

import java.util.LinkedHashMap;

/** Test double of QuPath's MeasurementList. */
public interface MeasurementList extends AutoCloseable {
	void put(String name, double value);

	double get(String name);

	/** Mirrors QuPath's: removes the measurement, returning its value (NaN when there was none). */
	double remove(String name);

	java.util.Map<String, Number> asMap();

	@Override
	void close();

	/** The double's only implementation. */
	final class Map implements MeasurementList {
		private final java.util.Map<String, Double> values = new LinkedHashMap<>();

		@Override
		public void put(String name, double value) {
			values.put(name, value);
		}

		@Override
		public double get(String name) {
			return values.getOrDefault(name, Double.NaN);
		}

		@Override
		public double remove(String name) {
			Double value = values.remove(name);
			return value == null ? Double.NaN : value;
		}

		@Override
		public java.util.Map<String, Number> asMap() {
			return java.util.Map.copyOf(values);
		}

		@Override
		public void close() {}
	}
}
