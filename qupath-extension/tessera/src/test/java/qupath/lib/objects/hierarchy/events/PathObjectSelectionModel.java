package qupath.lib.objects.hierarchy.events;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import qupath.lib.objects.PathObject;

/** Test double of QuPath's selection model (in the {@code events} package, as in QuPath). */
public class PathObjectSelectionModel {

	private final Set<PathObject> selected = new LinkedHashSet<>();

	public void selectObjects(Collection<? extends PathObject> pathObjects) {
		selected.addAll(pathObjects);
	}

	public Set<PathObject> getSelectedObjects() {
		return java.util.Collections.unmodifiableSet(selected);
	}
}
