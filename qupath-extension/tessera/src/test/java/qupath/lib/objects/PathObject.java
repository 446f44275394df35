package qupath.lib.objects;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import qupath.lib.measurements.MeasurementList;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.roi.interfaces.ROI;

/**
 * Test double of QuPath's PathObject: the root, an annotation, a detection or a tile (a kind of
 * detection, as in QuPath) with a ROI, class, name, metadata, parent and children.
 */
public class PathObject {

	/** What the object is; QuPath uses subclasses. */
	enum Kind {
		ROOT, ANNOTATION, DETECTION, TILE
	}

	private final Kind kind;
	private final ROI roi;
	private PathClass pathClass;
	private final UUID id = UUID.randomUUID();
	private String name;
	private PathObject parent;
	private final List<PathObject> children = new ArrayList<>();
	private final Map<String, String> metadata = new LinkedHashMap<>();
	private final MeasurementList measurements = new MeasurementList.Map();

	PathObject(Kind kind, ROI roi, PathClass pathClass) {
		this.kind = kind;
		this.roi = roi;
		this.pathClass = pathClass;
	}

	/** @return a root object (QuPath's PathRootObject) */
	public static PathObject root() {
		return new PathObject(Kind.ROOT, null, null);
	}

	public ROI getROI() {
		return roi;
	}

	public PathClass getPathClass() {
		return pathClass;
	}

	public void setPathClass(PathClass pc) {
		this.pathClass = pc;
	}

	public String getName() {
		return name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public boolean isAnnotation() {
		return kind == Kind.ANNOTATION;
	}

	public UUID getID() {
		return id;
	}

	public boolean isDetection() {
		return kind == Kind.DETECTION || kind == Kind.TILE;
	}

	public boolean isTile() {
		return kind == Kind.TILE;
	}

	public boolean isRootObject() {
		return kind == Kind.ROOT;
	}

	public PathObject getParent() {
		return parent;
	}

	public void addChildObjects(Collection<? extends PathObject> pathObjects) {
		for (PathObject child : pathObjects) {
			if (child.parent != null)
				child.parent.children.remove(child);
			child.parent = this;
			children.add(child);
		}
	}

	public void removeChildObjects(Collection<PathObject> pathObjects) {
		for (PathObject child : pathObjects)
			if (children.remove(child))
				child.parent = null;
	}

	public Collection<PathObject> getChildObjects() {
		return List.copyOf(children);
	}

	public Map<String, String> getMetadata() {
		return metadata;
	}

	public MeasurementList getMeasurementList() {
		return measurements;
	}
}
