package qupath.lib.objects.hierarchy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import qupath.lib.objects.PathObject;

/** Test double of QuPath's PathObjectHierarchy: annotations at the root, counted change events. */
public final class PathObjectHierarchy {

	private final List<PathObject> annotations = new ArrayList<>();
	private int events;

	public boolean addObject(PathObject pathObject) {
		return annotations.add(pathObject);
	}

	/** Adds objects at the root in one change (one event), as QuPath does. */
	public boolean addObjects(Collection<? extends PathObject> pathObjects) {
		events++;
		return annotations.addAll(pathObjects);
	}

	/** @return every annotation, at the root or below another one (as QuPath's hierarchy does) */
	public Collection<PathObject> getAnnotationObjects() {
		return all().filter(PathObject::isAnnotation).toList();
	}

	public Collection<PathObject> getDetectionObjects() {
		return all().filter(PathObject::isDetection).toList();
	}

	private Stream<PathObject> all() {
		return annotations.stream().flatMap(PathObjectHierarchy::withDescendants);
	}

	private static Stream<PathObject> withDescendants(PathObject object) {
		return Stream.concat(Stream.of(object), object.getChildObjects().stream().flatMap(PathObjectHierarchy::withDescendants));
	}

	public void fireHierarchyChangedEvent(Object source) {
		events++;
	}

	/** @return how many change events were fired (a test double's own accessor) */
	public int getEventCount() {
		return events;
	}
}
