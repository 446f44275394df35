package qupath.lib.roi;

import java.util.Collection;

import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.operation.union.UnaryUnionOp;

import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.interfaces.ROI;

/** Test double of QuPath's GeometryTools: JTS geometries as ROIs, and their union. */
public class GeometryTools {

	public static ROI geometryToROI(Geometry geometry, ImagePlane plane) {
		return new ROIs.GeometryROI(geometry, plane);
	}

	public static Geometry union(Collection<? extends Geometry> geometries) {
		return UnaryUnionOp.union(geometries);
	}
}
