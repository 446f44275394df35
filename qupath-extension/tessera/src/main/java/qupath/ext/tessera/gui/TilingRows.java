package qupath.ext.tessera.gui;

import javafx.scene.control.Spinner;
import qupath.ext.tessera.TilingJob;

/**
 * The tile size and resolution rows of a form: µm per pixel when the image has a pixel size, a
 * downsample otherwise.
 */
final class TilingRows {

	final Spinner<Integer> tileSize;
	final Spinner<Double> resolution;
	final boolean byMicrons;

	TilingRows(Form form, ImageContext context, Defaults defaults) {
		tileSize = form.row("Tile size (px)", "Side of the square tiles", Form.integers(16, 4096, defaults.tileSize()));
		byMicrons = context.micronsPerPixel() != null;
		resolution = byMicrons
				? form.row("Resolution (µm/px)", "Pixel size the tiles are read at; the image has "
						+ context.micronsPerPixel() + " µm/px", Form.decimals(0.05, 64, defaults.micronsPerPixel(), 0.25))
				: form.row("Downsample", "The image has no pixel size: tiles are read at this downsample",
						Form.decimals(1, 256, 1, 1));
	}

	/** @return {@code job} set to these rows' tile size and resolution */
	<J extends TilingJob<J>> J apply(J job) {
		job.tileSize(tileSize.getValue());
		return byMicrons ? job.micronsPerPixel(resolution.getValue()) : job.downsample(resolution.getValue());
	}
}
