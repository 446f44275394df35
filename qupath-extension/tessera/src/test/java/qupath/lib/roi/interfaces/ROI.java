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
}
