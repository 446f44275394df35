package qupath.ext.tessera.bridge;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.google.gson.Gson;

/**
 * A slide file the native core reads itself: a JPEG-tiled TIFF pyramid (Aperio SVS, generic
 * tiled TIFF), decoded exactly as the {@code tessera} command decodes it. Reading tiles this way
 * gives the command's pixels and tile plans, in one native call per batch, without QuPath's tile
 * cache in between.
 */
public final class NativeSlide extends NativeObject {

	/**
	 * One pyramid level.
	 * @param width its width in pixels
	 * @param height its height in pixels
	 * @param downsample level-0 pixels per pixel of it
	 */
	public record Level(long width, long height, double downsample) {}

	private final List<Level> levels;

	private NativeSlide(long handle) {
		super(handle, NativeBridge::slideFree);
		this.levels = List.of(new Gson().fromJson(withHandle(NativeBridge::slideLevels), Level[].class));
	}

	/**
	 * @param file a slide file
	 * @param pixelSizeMicrons its pixel size in µm, or NaN when unknown
	 * @return the slide, or empty when the core does not read such a file itself
	 */
	public static Optional<NativeSlide> open(Path file, double pixelSizeMicrons) {
		NativeLibrary.ensureLoaded();
		long handle = NativeBridge.slideOpen(file.toString(), pixelSizeMicrons);
		return handle == 0 ? Optional.empty() : Optional.of(new NativeSlide(handle));
	}

	/** @return the pyramid's levels, level 0 (full resolution) first */
	public List<Level> levels() {
		return levels;
	}

	/**
	 * Reads tiles in parallel into one buffer.
	 * @param tiles level-0 rectangles
	 * @param size side of each tile read, in pixels (each rectangle is scaled to it)
	 * @param rgb a direct buffer receiving the packed RGB tiles one after the other, from position 0
	 * @throws InvalidInputException if the buffer is too small
	 * @throws ImageReadException if a tile cannot be decoded
	 */
	public void read(List<TilePlanner.Tile> tiles, int size, ByteBuffer rgb) {
		Objects.requireNonNull(rgb, "rgb");
		if (!rgb.isDirect())
			throw new InvalidInputException("tile pixels must be in a direct buffer");
		long[] rectangles = new long[4 * tiles.size()];
		for (int i = 0; i < tiles.size(); i++) {
			var tile = tiles.get(i);
			rectangles[4 * i] = tile.x();
			rectangles[4 * i + 1] = tile.y();
			rectangles[4 * i + 2] = tile.w();
			rectangles[4 * i + 3] = tile.h();
		}
		withHandle(slide -> {
			NativeBridge.slideRead(slide, rectangles, size, rgb);
			return null;
		});
	}

	/**
	 * Plans tiles over the slide's tissue exactly as {@code tessera apply} does (tissue detected
	 * on a thumbnail the core reads), labelled {@code Tissue}.
	 * @param image the image's name, for messages and the plan
	 * @param spec tile size, resolution, overlap and least tissue fraction of a tile
	 * @return the plan
	 */
	public TilePlanner.Plan planTissue(String image, TilePlanner.Spec spec) {
		return TilePlanner.parse(withHandle(slide -> NativeBridge.slidePlanTissue(slide, image, TilePlanner.specJson(spec))));
	}
}
