package qupath.ext.tessera;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.locationtech.jts.geom.Geometry;

import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.GeometryTools;

/**
 * Tiles of the same predicted class merged into one annotation per class (the union of the
 * tiles) that holds those tiles as its children, named {@code Tessera: <class>} so that Tessera
 * never mistakes them for annotations drawn by the user (they are not tiled for training,
 * evaluation or application).
 */
final class ClassRegions {

	/** The name prefix of the merged annotations. */
	static final String NAME_PREFIX = "Tessera: ";

	private ClassRegions() {}

	/** @return whether {@code annotation} is a class region Tessera added */
	static boolean isClassRegion(PathObject annotation) {
		String name = annotation.getName();
		return name != null && name.startsWith(NAME_PREFIX);
	}

	/**
	 * @param tiles classified tile objects, not yet in a hierarchy
	 * @param plane the image plane of the annotations
	 * @return one annotation per class present, in the order classes first appear, each holding
	 *         that class's tiles
	 */
	static List<PathObject> merge(List<PathObject> tiles, ImagePlane plane) {
		Map<PathClass, List<PathObject>> byClass = new LinkedHashMap<>();
		for (PathObject tile : tiles)
			byClass.computeIfAbsent(tile.getPathClass(), c -> new ArrayList<>()).add(tile);
		List<PathObject> merged = new ArrayList<>();
		byClass.forEach((pathClass, members) -> {
			List<Geometry> geometries = members.stream().map(t -> t.getROI().getGeometry()).toList();
			var annotation = PathObjects.createAnnotationObject(
					GeometryTools.geometryToROI(GeometryTools.union(geometries), plane), pathClass);
			annotation.setName(NAME_PREFIX + pathClass);
			annotation.addChildObjects(members);
			merged.add(annotation);
		});
		return merged;
	}
}
