package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import qupath.ext.tessera.bridge.FileNames;
import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.lib.images.ImageData;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;

/**
 * Exports the labelled training tiles of an image as PNG files, one folder per class, with a
 * {@code tiles.csv} manifest (written last: a manifest means a complete export), for use in
 * other tools. The same tiles training reads.
 */
public final class TileExport extends TilingJob<TileExport> {

	TileExport() {}

	@Override
	TileExport self() {
		return this;
	}

	/**
	 * @param imageData the image whose classified annotations are tiled
	 * @param dir the folder to write into (created when missing)
	 * @return the number of tiles written
	 */
	public int export(ImageData<BufferedImage> imageData, String dir) {
		String image = Tessera.imageName(imageData);
		var tiles = LabelledTiles.plan(image, imageData, spec());
		var planned = tiles.plan().tiles();
		if (planned.isEmpty())
			throw new InvalidInputException(image + ": no classified annotation large enough for one " + tileSize + " px tile");
		Path root = Path.of(dir);
		String stem = FileNames.safe(image);
		Map<String, String> folders = new HashMap<>();
		for (var label : tiles.labels())
			folders.computeIfAbsent(label, FileNames::safe);
		List<String> rows = new ArrayList<>(List.of("file,image,class,x,y,width,height,downsample,coverage"));
		// Filled whole or not at all: a failure or cancellation leaves the folder as it was.
		OutputFiles.fillFolder(root, folder -> {
			tiles.read((start, count, pixels) -> {
				for (int i = 0; i < count; i++) {
					checkCancelled();
					report(start + i, planned.size(), "Writing tiles");
					var tile = planned.get(start + i);
					Path file = folder.resolve(folders.get(tile.label())).resolve(stem + "_" + tile.x() + "_" + tile.y() + ".png");
					write(image(pixels, i, tileSize), file);
					rows.add(String.join(",", csv(folder.relativize(file).toString()), csv(image), csv(tile.label()),
							Long.toString(tile.x()), Long.toString(tile.y()), Long.toString(tile.w()), Long.toString(tile.h()),
							Scripts.number(tiles.plan().downsample()), String.format(Locale.ROOT, "%.4f", tile.coverage())));
				}
			});
			Files.write(folder.resolve("tiles.csv"), rows);
		});
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: export training tiles",
				Map.of("folder", dir), "qupath.ext.tessera.Tessera.tileExport()" + tilingScript()
						+ ".export(getCurrentImageData(), " + Scripts.quoted(dir) + ")"));
		return planned.size();
	}

	private static void write(BufferedImage tile, Path file) {
		try {
			Files.createDirectories(file.getParent());
			ImageIO.write(tile, "png", file.toFile());
		} catch (IOException e) {
			throw new UncheckedIOException("cannot write " + file, e);
		}
	}

	/** The {@code index}-th packed RGB tile of {@code pixels} as an image. */
	private static BufferedImage image(ByteBuffer pixels, int index, int side) {
		var image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
		int[] rgb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
		int offset = index * 3 * side * side;
		for (int p = 0; p < rgb.length; p++) {
			int at = offset + 3 * p;
			rgb[p] = (pixels.get(at) & 0xff) << 16 | (pixels.get(at + 1) & 0xff) << 8 | pixels.get(at + 2) & 0xff;
		}
		return image;
	}

	private static String csv(String text) {
		return text.contains(",") || text.contains("\"") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
	}
}
