package qupath.lib.measurements;

import java.util.LinkedHashMap;

/** Test double of QuPath's MeasurementList. */
public interface MeasurementList extends AutoCloseable {
	void put(String name, double value);

	double get(String name);

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
		public java.util.Map<String, Number> asMap() {
			return java.util.Map.copyOf(values);
		}

		@Override
		public void close() {}
	}
}
