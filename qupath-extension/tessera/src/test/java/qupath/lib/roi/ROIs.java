package qupath.lib.roi;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;

import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.interfaces.ROI;

/** Test double of QuPath's ROIs factory. */
public class ROIs {

	private static final GeometryFactory FACTORY = new GeometryFactory();

	record GeometryROI(Geometry geometry, ImagePlane plane) implements ROI {
		@Override
		public boolean isArea() {
			return geometry.getArea() > 0;
		}

		@Override
		public Geometry getGeometry() {
			return geometry;
		}

		@Override
		public ImagePlane getImagePlane() {
			return plane;
		}
	}

	public static ROI createRectangleROI(double x, double y, double width, double height, ImagePlane plane) {
		return new GeometryROI(FACTORY.createPolygon(new Coordinate[] {new Coordinate(x, y), new Coordinate(x + width, y),
				new Coordinate(x + width, y + height), new Coordinate(x, y + height), new Coordinate(x, y)}), plane);
	}

	public static ROI createPolygonROI(double[] x, double[] y, ImagePlane plane) {
		Coordinate[] ring = new Coordinate[x.length + 1];
		for (int i = 0; i < x.length; i++)
			ring[i] = new Coordinate(x[i], y[i]);
		ring[x.length] = ring[0];
		return new GeometryROI(FACTORY.createPolygon(ring), plane);
	}
}
