package qupath.lib.objects;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import qupath.lib.measurements.MeasurementList;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.roi.interfaces.ROI;

/** Test double of QuPath's PathObject: an annotation or detection with a ROI, class and children. */
public class PathObject {

	private final boolean detection;
	private final ROI roi;
	private final PathClass pathClass;
	private final UUID id = UUID.randomUUID();
	private String name;
	private final List<PathObject> children = new ArrayList<>();
	private final MeasurementList measurements = new MeasurementList.Map();

	PathObject(boolean detection, ROI roi, PathClass pathClass) {
		this.detection = detection;
		this.roi = roi;
		this.pathClass = pathClass;
	}

	public ROI getROI() {
		return roi;
	}

	public PathClass getPathClass() {
		return pathClass;
	}

	public String getName() {
		return name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public boolean isAnnotation() {
		return !detection;
	}

	public UUID getID() {
		return id;
	}

	public boolean isDetection() {
		return detection;
	}

	public void addChildObjects(Collection<? extends PathObject> pathObjects) {
		children.addAll(pathObjects);
	}

	public Collection<PathObject> getChildObjects() {
		return List.copyOf(children);
	}

	public MeasurementList getMeasurementList() {
		return measurements;
	}
}
