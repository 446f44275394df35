package qupath.ext.tessera;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import qupath.ext.tessera.bridge.IncompatibleModelException;
import qupath.lib.projects.Project;

/**
 * The models a project keeps, in {@code <project folder>/tessera/models/*.tessera}, and what
 * each package says about itself (read from its {@code tessera.json} without loading the model).
 */
public final class ProjectModels {

	/** The model package extension. */
	public static final String EXTENSION = ".tessera";

	private ProjectModels() {}

	/**
	 * What a model package says about itself.
	 * @param file the package
	 * @param name the model's name
	 * @param classes its classes, in output order
	 * @param tileSize its tile side in pixels
	 * @param micronsPerPixel its pixel size, or null when trained at a downsample
	 * @param crossValidationMacroF1 mean macro-F1 over the cross-validation folds, or null without folds
	 * @param holdOutMacroF1 the final model's macro-F1 on its held-out tiles, or null
	 * @param images the images it was trained on
	 */
	public record Summary(Path file, String name, List<String> classes, int tileSize, Double micronsPerPixel,
			Double crossValidationMacroF1, Double holdOutMacroF1, List<String> images) {}

	/**
	 * @param project an open project on the local file system
	 * @return its model folder (not created)
	 */
	public static Path directory(Project<?> project) {
		Path path = project.getPath();
		if (path == null)
			throw new IllegalArgumentException("project " + project.getName() + " is not on the local file system");
		Path folder = Files.isDirectory(path) ? path : path.getParent();
		return folder.resolve("tessera").resolve("models");
	}

	/**
	 * @param project an open project
	 * @param name a model name
	 * @return where the project keeps the model called {@code name}
	 */
	public static Path path(Project<?> project, String name) {
		return directory(project).resolve(name + EXTENSION);
	}

	/**
	 * @param directory a model folder
	 * @return the packages in it, by name; an unreadable package is listed with its file name and no details
	 */
	public static List<Summary> list(Path directory) {
		if (!Files.isDirectory(directory))
			return List.of();
		try (Stream<Path> files = Files.list(directory)) {
			List<Summary> models = new ArrayList<>();
			for (Path file : files.filter(f -> f.getFileName().toString().endsWith(EXTENSION)).toList()) {
				try {
					models.add(read(file));
				} catch (IncompatibleModelException e) {
					models.add(new Summary(file, file.getFileName().toString(), List.of(), 0, null, null, null, List.of()));
				}
			}
			models.sort(Comparator.comparing(Summary::name));
			return models;
		} catch (IOException e) {
			throw new UncheckedIOException("cannot list the models in " + directory, e);
		}
	}

	/**
	 * @param file a model package
	 * @return what its {@code tessera.json} says
	 * @throws IncompatibleModelException if it is not a readable package
	 */
	public static Summary read(Path file) {
		var json = metadata(file);
		try {
			var input = json.getAsJsonObject("input");
			var metrics = json.getAsJsonObject("metrics");
			return new Summary(file, json.get("name").getAsString(),
					json.getAsJsonArray("classes").asList().stream()
							.map(c -> c.getAsJsonObject().get("name").getAsString()).toList(),
					input.get("tile_size").getAsInt(), number(input.get("mpp")),
					number(path(metrics, "cross_validation", "mean_macro_f1")),
					number(path(metrics, "final_hold_out", "macro_f1", "value")),
					json.getAsJsonObject("provenance").getAsJsonArray("images").asList().stream()
							.map(JsonElement::getAsString).toList());
		} catch (RuntimeException e) {
			throw new IncompatibleModelException(file + ": tessera.json lacks a field Tessera needs (" + e.getMessage() + ")", e);
		}
	}

	/**
	 * @param file a model package
	 * @return its metrics: {@code cross_validation} (or null) and {@code final_hold_out}
	 */
	public static JsonObject metrics(Path file) {
		return metadata(file).getAsJsonObject("metrics");
	}

	/**
	 * @param file a model package
	 * @return the per-epoch records of its final training, or null when it has none
	 */
	public static JsonArray history(Path file) {
		var history = path(metadata(file), "training", "history");
		return history != null && history.isJsonArray() ? history.getAsJsonArray() : null;
	}

	/**
	 * @param file a model package
	 * @return its {@code tessera.json}
	 * @throws IncompatibleModelException if it is not a readable package
	 */
	public static JsonObject metadata(Path file) {
		try (var zip = new ZipFile(file.toFile())) {
			var entry = zip.getEntry("tessera.json");
			if (entry == null)
				throw new IncompatibleModelException(file + ": no tessera.json, not a Tessera model package");
			try (var reader = new InputStreamReader(zip.getInputStream(entry), StandardCharsets.UTF_8)) {
				return JsonParser.parseReader(reader).getAsJsonObject();
			}
		} catch (IOException | com.google.gson.JsonParseException | IllegalStateException e) {
			throw new IncompatibleModelException(file + ": not a readable Tessera model package (" + e.getMessage() + ")", e);
		}
	}

	/**
	 * Deletes a model package.
	 * @param file the package
	 */
	public static void delete(Path file) {
		try {
			Files.deleteIfExists(file);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot delete " + file, e);
		}
	}

	private static JsonElement path(JsonObject json, String... keys) {
		JsonElement at = json;
		for (String key : keys) {
			if (at == null || !at.isJsonObject())
				return null;
			at = at.getAsJsonObject().get(key);
		}
		return at;
	}

	private static Double number(JsonElement element) {
		return element == null || element.isJsonNull() ? null : element.getAsDouble();
	}
}
