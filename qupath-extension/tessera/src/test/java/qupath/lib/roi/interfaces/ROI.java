package qupath.lib.roi.interfaces;

import org.locationtech.jts.geom.Geometry;

import qupath.lib.regions.ImagePlane;

/** Test double of QuPath's ROI: a JTS geometry on a plane. */
public interface ROI {
	boolean isArea();

	Geometry getGeometry();

	ImagePlane getImagePlane();

	/** @return the bounds' left edge */
	default double getBoundsX() {
		return getGeometry().getEnvelopeInternal().getMinX();
	}

	/** @return the bounds' top edge */
	default double getBoundsY() {
		return getGeometry().getEnvelopeInternal().getMinY();
	}

	/** @return the bounds' width */
	default double getBoundsWidth() {
		return getGeometry().getEnvelopeInternal().getWidth();
	}

	/** @return the bounds' height */
	default double getBoundsHeight() {
		return getGeometry().getEnvelopeInternal().getHeight();
	}

	/** @return whether the point lies inside the ROI */
	default boolean contains(double x, double y) {
		return getGeometry().contains(getGeometry().getFactory().createPoint(new org.locationtech.jts.geom.Coordinate(x, y)));
	}
}
