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

	/** Tile rows starting from the user's preferred tile size and resolution. */
	TilingRows(Form form, ImageContext context, Defaults defaults) {
		this(form, context, "Tile size (px)", "Side of the square tiles", defaults.tileSize(), defaults.micronsPerPixel());
	}

	/**
	 * @param label the size row's label, e.g. {@code Patch size (px)}
	 * @param help the size row's tooltip
	 * @param size the size to start from
	 * @param micronsPerPixel the resolution to start from (when the image has a pixel size)
	 */
	TilingRows(Form form, ImageContext context, String label, String help, int size, double micronsPerPixel) {
		tileSize = form.row(label, help, Form.integers(16, 4096, size));
		byMicrons = context.micronsPerPixel() != null;
		resolution = byMicrons
				? form.row("Resolution (µm/px)", "Pixel size the tiles are read at; the image has "
						+ context.micronsPerPixel() + " µm/px", Form.decimals(0.05, 64, micronsPerPixel, 0.25))
				: form.row("Downsample", "The image has no pixel size: tiles are read at this downsample",
						Form.decimals(1, 256, 1, 1));
	}

	/** @return {@code job} set to these rows' tile size and resolution */
	<J extends TilingJob<J>> J apply(J job) {
		job.tileSize(tileSize.getValue());
		return byMicrons ? job.micronsPerPixel(resolution.getValue()) : job.downsample(resolution.getValue());
	}
}
