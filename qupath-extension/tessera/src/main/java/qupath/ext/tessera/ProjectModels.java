package qupath.ext.tessera;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import qupath.ext.tessera.bridge.IncompatibleModelException;
import qupath.ext.tessera.bridge.PackageRecords;
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
	 * @return what its {@code tessera.json} says, in short
	 * @throws IncompatibleModelException if it is not a readable package
	 */
	public static Summary read(Path file) {
		var model = PackageRecords.read(file);
		var metrics = model.metrics();
		var crossValidation = metrics == null ? null : metrics.crossValidation();
		var holdOut = metrics == null ? null : metrics.finalHoldOut();
		return new Summary(file, model.name(), model.classes().stream().map(PackageRecords.ClassInfo::name).toList(),
				model.input().tileSize(), model.input().mpp(), crossValidation == null ? null : crossValidation.meanMacroF1(),
				holdOut == null ? null : holdOut.macroF1().value(),
				model.provenance() == null || model.provenance().images() == null ? List.of() : model.provenance().images());
	}

	/**
	 * @param file a model package
	 * @return its {@code tessera.json}, as records
	 * @throws IncompatibleModelException if it is not a readable package
	 */
	public static PackageRecords.Package load(Path file) {
		return PackageRecords.read(file);
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
}
