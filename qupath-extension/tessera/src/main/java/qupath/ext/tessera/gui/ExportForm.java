package qupath.ext.tessera.gui;

import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import qupath.ext.tessera.Tessera;
import qupath.ext.tessera.TileExport;

/** The *Export training tiles…* form: tile size, resolution, overlap, minimum coverage, folder. */
public final class ExportForm {

	final TextField folder;
	final TilingRows tiling;
	final Spinner<Double> overlap;
	final Spinner<Double> minCoverage;
	private final Form form = new Form();

	/**
	 * @param context the current image and project
	 * @param defaults the user's preferred values
	 */
	public ExportForm(ImageContext context, Defaults defaults) {
		folder = form.row("Folder", "Tiles go into one sub-folder per class, with tiles.csv",
				Form.path(context.modelDirectory().resolveSibling("tiles")));
		tiling = new TilingRows(form, context, defaults);
		overlap = form.row("Overlap", "Share of a tile's side neighbours overlap by", Form.decimals(0, 0.9, 0, 0.25));
		minCoverage = form.row("Minimum coverage", "Tiles are kept when at least this share lies inside their annotation",
				Form.decimals(0.05, 1, 0.5, 0.05));
	}

	/** @return the form */
	public GridPane pane() {
		return form.pane();
	}

	/** @return the export job the form describes */
	public TileExport job() {
		return tiling.apply(Tessera.tileExport()).overlap(overlap.getValue()).minCoverage(minCoverage.getValue());
	}

	/** @return the folder typed */
	public String folder() {
		return folder.getText().strip();
	}
}
