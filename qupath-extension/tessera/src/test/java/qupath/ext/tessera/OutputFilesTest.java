package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFilesTest {

	@TempDir
	Path dir;

	private static List<String> names(Path folder) throws IOException {
		try (Stream<Path> walk = Files.walk(folder)) {
			return walk.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString()).sorted().toList();
		}
	}

	private static void tile(Path folder, String name) throws IOException {
		Files.createDirectories(folder.resolve("Tumor"));
		Files.writeString(folder.resolve("Tumor").resolve(name), name);
		Files.writeString(folder.resolve("tiles.csv"), name);
	}

	@Test
	void aFolderIsFilledWholeOrNotAtAllAndOtherFilesStay() throws IOException {
		Path out = dir.resolve("tiles");
		assertThrows(IllegalStateException.class, () -> OutputFiles.fillFolder(out, folder -> {
			tile(folder, "a.png");
			throw new IllegalStateException("cancelled");
		}));
		assertFalse(Files.exists(out), "a failed first run leaves no folder");
		OutputFiles.fillFolder(out, folder -> tile(folder, "a.png"));
		Files.writeString(out.resolve("Tumor/mine.txt"), "the user's");
		OutputFiles.fillFolder(out, folder -> tile(folder, "b.png"));
		assertThrows(UncheckedIOException.class, () -> OutputFiles.fillFolder(out, folder -> {
			tile(folder, "c.png");
			throw new IOException("No space left on device");
		}));
		assertEquals(List.of("Tumor/a.png", "Tumor/b.png", "Tumor/mine.txt", "tiles.csv"), names(out));
		assertEquals("b.png", Files.readString(out.resolve("tiles.csv")), "from the last whole run");
	}

	@Test
	void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
		Path report = dir.resolve("metrics.json");
		OutputFiles.write(report, file -> Files.writeString(file, "old"));
		var failed = assertThrows(UncheckedIOException.class, () -> OutputFiles.write(report, file -> {
			Files.writeString(file, "half");
			throw new IOException("No space left on device");
		}));
		assertTrue(failed.getMessage().contains(report.toString()), failed.getMessage());
		assertEquals("old", Files.readString(report));
		assertEquals(List.of("metrics.json"), names(dir));
	}
}
