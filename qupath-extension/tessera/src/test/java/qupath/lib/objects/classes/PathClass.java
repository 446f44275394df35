package qupath.lib.objects.classes;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Test double of QuPath's PathClass: one instance per name. */
public final class PathClass {

	private static final PathClass NULL_CLASS = new PathClass(null, null);
	private static final Map<String, PathClass> CLASSES = new ConcurrentHashMap<>();

	private final String name;
	private final Integer color;

	private PathClass(String name, Integer color) {
		this.name = name;
		this.color = color;
	}

	public static PathClass getNullClass() {
		return NULL_CLASS;
	}

	public static PathClass fromString(String string, Integer color) {
		return CLASSES.computeIfAbsent(string, name -> new PathClass(name, color));
	}

	public static PathClass fromString(String string) {
		return fromString(string, null);
	}

	public String getName() {
		return name;
	}

	public Integer getColor() {
		return color;
	}

	@Override
	public String toString() {
		return name;
	}
}
