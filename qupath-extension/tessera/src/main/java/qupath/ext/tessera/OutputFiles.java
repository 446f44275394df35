package qupath.ext.tessera;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How the extension writes the files it makes itself (tile PNGs, tables, reports; the core writes
 * models and its own outputs the same way): whole or not at all. A file goes through a temporary
 * file beside it, renamed into place once complete; a folder is filled through a hidden folder
 * inside it whose contents are moved into place once everything is written. A full disk, a
 * failure or a cancelled job leaves the old output, never a part of a new one.
 */
final class OutputFiles {

	/** Writes one output into the path it is given. */
	@FunctionalInterface
	interface Writer {
		/**
		 * @param path where to write
		 * @throws IOException when writing fails
		 */
		void write(Path path) throws IOException;
	}

	private OutputFiles() {}

	/**
	 * @param file the output file
	 * @param writer fills the temporary file it is given
	 * @throws UncheckedIOException naming {@code file} when writing fails; {@code file} is then unchanged
	 */
	static void write(Path file, Writer writer) {
		Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
		try {
			writer.write(temporary);
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		} catch (IOException e) {
			throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
		} finally {
			deleteQuietly(temporary);
		}
	}

	/**
	 * @param root the output folder (created when missing; removed again if a failed run created it)
	 * @param writer fills the temporary folder it is given; its failure (any exception) is rethrown
	 * @throws UncheckedIOException when the folder cannot be made or filled
	 */
	static void fillFolder(Path root, Writer writer) {
		boolean created = !Files.exists(root);
		Path temporary = root.resolve(".tessera-partial-" + ProcessHandle.current().pid());
		boolean done = false;
		try {
			Files.createDirectories(temporary);
			writer.write(temporary);
			moveInto(temporary, root);
			done = true;
		} catch (IOException e) {
			throw new UncheckedIOException("cannot write into " + root + ": " + e.getMessage(), e);
		} finally {
			deleteQuietly(temporary);
			if (!done && created)
				deleteQuietly(root);
		}
	}

	/** Moves every entry of {@code from} into {@code to}: files over same-named files, folders merged. */
	private static void moveInto(Path from, Path to) throws IOException {
		List<Path> entries;
		try (Stream<Path> listed = Files.list(from)) {
			entries = listed.toList();
		}
		for (Path entry : entries) {
			Path target = to.resolve(entry.getFileName().toString());
			if (Files.isDirectory(entry) && Files.isDirectory(target))
				moveInto(entry, target);
			else
				Files.move(entry, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
	}

	/** Deletes {@code path} and, for a folder, what it holds; a failure to delete is not the error that matters. */
	private static void deleteQuietly(Path path) {
		if (!Files.exists(path))
			return;
		try (Stream<Path> walk = Files.walk(path)) {
			for (Path p : walk.sorted(Comparator.reverseOrder()).toList())
				Files.deleteIfExists(p);
		} catch (IOException | UncheckedIOException e) {
			// Best effort: the output is whole either way; only a hidden temporary may remain.
		}
	}
}
