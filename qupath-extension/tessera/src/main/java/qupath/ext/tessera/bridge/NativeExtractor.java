package qupath.ext.tessera.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Extracts the native libraries bundled in the jar to a cache directory, once.
 * <p>
 * The jar holds {@code natives/<platform>/} with the libraries and a {@code natives.sha256}
 * listing ({@code <sha256>  <file>} lines). The libraries go to
 * {@code <root>/<version>-<hash of the listing>/}, so two builds never share a directory and a
 * directory once complete is reused without re-reading the jar. A lock file serialises
 * concurrent QuPath instances; each file is written to a temporary name, checked, then moved.
 */
final class NativeExtractor {

	static final String LISTING = "natives.sha256";
	private static final String COMPLETE_MARKER = ".complete";

	private NativeExtractor() {}

	/**
	 * @return the directory holding the extracted libraries
	 * @throws TesseraException if this jar has no libraries for the platform or extraction failed
	 */
	static Path extract(Path root, String version, String platform) {
		String base = "/natives/" + platform + "/";
		byte[] listing = readResource(base + LISTING, platform);
		Map<String, String> files = parseListing(new String(listing, StandardCharsets.UTF_8));
		String id = HexFormat.of().formatHex(sha256().digest(listing)).substring(0, 16);
		Path dir = root.resolve(version + "-" + id);
		try {
			Files.createDirectories(root);
			try (FileChannel lockChannel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
					var lock = lockChannel.lock()) {
				if (Files.exists(dir.resolve(COMPLETE_MARKER)))
					return dir;
				Files.createDirectories(dir);
				for (var entry : files.entrySet())
					extractOne(base + entry.getKey(), dir.resolve(entry.getKey()), entry.getValue());
				Files.createFile(dir.resolve(COMPLETE_MARKER));
				return dir;
			}
		} catch (IOException e) {
			throw new TesseraException("cannot extract Tessera's native libraries to " + dir + ": " + e.getMessage(), e);
		}
	}

	private static void extractOne(String resource, Path target, String expectedSha) throws IOException {
		Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
		MessageDigest digest = sha256();
		try (InputStream in = NativeExtractor.class.getResourceAsStream(resource)) {
			if (in == null)
				throw new TesseraException("this jar lists " + resource + " but does not contain it");
			try (var digesting = new DigestInputStream(in, digest); OutputStream out = Files.newOutputStream(tmp)) {
				digesting.transferTo(out);
			}
		}
		String actual = HexFormat.of().formatHex(digest.digest());
		if (!actual.equals(expectedSha)) {
			Files.deleteIfExists(tmp);
			throw new TesseraException("bundled " + resource + " is corrupt (sha256 " + actual + ", expected " + expectedSha + ")");
		}
		Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private static byte[] readResource(String resource, String platform) {
		try (InputStream in = NativeExtractor.class.getResourceAsStream(resource)) {
			if (in == null)
				throw new TesseraException("this build of Tessera has no native libraries for " + platform
						+ " (no " + resource + " in the jar)");
			return in.readAllBytes();
		} catch (IOException e) {
			throw new TesseraException("cannot read " + resource + " from the jar: " + e.getMessage(), e);
		}
	}

	/** Parses {@code sha256sum}-style lines into file name → sha256. */
	static Map<String, String> parseListing(String listing) {
		Map<String, String> files = new LinkedHashMap<>();
		for (String line : listing.split("\n")) {
			String[] parts = line.trim().split("\\s+\\*?", 2);
			if (parts.length == 2 && !parts[1].contains("/"))
				files.put(parts[1], parts[0]);
		}
		if (files.isEmpty())
			throw new TesseraException("the jar's native library listing is empty");
		return files;
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java platform has SHA-256", e);
		}
	}
}
