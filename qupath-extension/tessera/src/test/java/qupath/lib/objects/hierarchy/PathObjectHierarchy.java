package qupath.lib.objects.hierarchy;

import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import qupath.lib.objects.PathObject;
import qupath.lib.objects.hierarchy.events.PathObjectSelectionModel;

/** Test double of QuPath's PathObjectHierarchy: a root object, a selection, counted change events. */
public final class PathObjectHierarchy {

	private final PathObject root = PathObject.root();
	private final PathObjectSelectionModel selection = new PathObjectSelectionModel();
	private long events;

	public PathObject getRootObject() {
		return root;
	}

	public PathObjectSelectionModel getSelectionModel() {
		return selection;
	}

	/** Adds an object at the root (QuPath would insert it below the annotation containing it). */
	public boolean addObject(PathObject pathObject) {
		root.addChildObjects(List.of(pathObject));
		return true;
	}

	/** Adds objects at the root in one change (one event), as QuPath does. */
	public boolean addObjects(Collection<? extends PathObject> pathObjects) {
		events++;
		root.addChildObjects(pathObjects);
		return true;
	}

	/** @return every annotation, at the root or below another one (as QuPath's hierarchy does) */
	public Collection<PathObject> getAnnotationObjects() {
		return all().filter(PathObject::isAnnotation).toList();
	}

	/** @return every detection, tiles included (a tile is a detection in QuPath) */
	public Collection<PathObject> getDetectionObjects() {
		return all().filter(PathObject::isDetection).toList();
	}

	public Collection<PathObject> getTileObjects() {
		return all().filter(PathObject::isTile).toList();
	}

	/** @return every object in the hierarchy, the root too if {@code includeRoot} */
	public Collection<PathObject> getAllObjects(boolean includeRoot) {
		return (includeRoot ? withDescendants(root) : all()).toList();
	}

	private Stream<PathObject> all() {
		return root.getChildObjects().stream().flatMap(PathObjectHierarchy::withDescendants);
	}

	private static Stream<PathObject> withDescendants(PathObject object) {
		return Stream.concat(Stream.of(object), object.getChildObjects().stream().flatMap(PathObjectHierarchy::withDescendants));
	}

	public void fireHierarchyChangedEvent(Object source) {
		events++;
	}

	public void fireObjectClassificationsChangedEvent(Object source, Collection<? extends PathObject> pathObjects) {
		events++;
	}

	/** @return how many change events were fired (QuPath counts them too) */
	public long getEventCount() {
		return events;
	}
}
