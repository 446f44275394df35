package qupath.lib.objects.hierarchy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import qupath.lib.objects.PathObject;

/** Test double of QuPath's PathObjectHierarchy: annotations at the root, counted change events. */
public final class PathObjectHierarchy {

	private final List<PathObject> annotations = new ArrayList<>();
	private int events;

	public boolean addObject(PathObject pathObject) {
		return annotations.add(pathObject);
	}

	public Collection<PathObject> getAnnotationObjects() {
		return List.copyOf(annotations);
	}

	public Collection<PathObject> getDetectionObjects() {
		return annotations.stream().flatMap(a -> a.getChildObjects().stream()).filter(PathObject::isDetection).toList();
	}

	public void fireHierarchyChangedEvent(Object source) {
		events++;
	}

	/** @return how many change events were fired (a test double's own accessor) */
	public int getEventCount() {
		return events;
	}
}
