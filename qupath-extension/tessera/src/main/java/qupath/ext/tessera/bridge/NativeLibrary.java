package qupath.ext.tessera.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Loads Tessera's native library and ONNX Runtime, once per class loader.
 * <p>
 * Where the libraries come from, in order:
 * <ol>
 * <li>the directory named by the system property {@value #NATIVE_DIR_PROPERTY} (holding
 * the libraries under this platform's names, e.g. {@code libtessera_jni.so} and
 * {@code libonnxruntime.so.1} on Linux);</li>
 * <li>otherwise the copies bundled in this jar for this platform ({@code natives/<os>-<arch>/},
 * see {@link NativePlatform}: Linux x86-64, Windows x86-64, macOS on Apple silicon and Intel),
 * checked against their sha256 and extracted once to a cache directory: the one set with
 * {@link #setCacheRoot(Path)} (the QuPath user directory), else the system property
 * {@value #CACHE_PROPERTY}, else a folder in the temporary directory.</li>
 * </ol>
 * On a platform Tessera has no natives for, or one this jar was built without, loading fails with
 * a message naming {@code os.name}, {@code os.arch} and the platforms there are natives for.
 * The system property {@value #ONNXRUNTIME_PROPERTY} names another ONNX Runtime library (for
 * instance a GPU build). ONNX Runtime is loaded first, then the native library, whose registered
 * methods and version are checked against this jar before ONNX Runtime is initialised.
 * <p>
 * A failure is remembered: every later use throws a new {@link TesseraException} with the same
 * message and the original failure as its cause.
 */
public final class NativeLibrary {

	/** System property: a directory holding the native libraries, used instead of the bundled ones. */
	public static final String NATIVE_DIR_PROPERTY = "tessera.native.dir";
	/** System property: the ONNX Runtime library file to load instead of the bundled one. */
	public static final String ONNXRUNTIME_PROPERTY = "tessera.onnxruntime.library";
	/** System property: the directory the bundled libraries are extracted to. */
	public static final String CACHE_PROPERTY = "tessera.native.cache";

	private static Path cacheRoot;
	private static NativeInfo loaded;
	private static TesseraException failure;

	private NativeLibrary() {}

	/**
	 * Sets where bundled libraries are extracted (e.g. {@code <QuPath user dir>/tessera/natives});
	 * has no effect once the library is loaded.
	 * @param directory the cache directory
	 */
	public static synchronized void setCacheRoot(Path directory) {
		cacheRoot = directory;
	}

	/**
	 * Loads the libraries if not done yet.
	 * @return what was loaded
	 * @throws TesseraException (or {@link OnnxRuntimeException}) if loading failed, now or before
	 */
	public static synchronized NativeInfo ensureLoaded() {
		if (loaded != null)
			return loaded;
		if (failure == null) {
			try {
				loaded = load();
				return loaded;
			} catch (TesseraException e) {
				failure = e;
			} catch (RuntimeException | LinkageError e) {
				failure = new TesseraException("Tessera's native library could not be loaded: " + e, e);
			}
		}
		throw rethrow(failure);
	}

	private static TesseraException rethrow(TesseraException first) {
		String message = first.getMessage();
		return first instanceof OnnxRuntimeException
				? new OnnxRuntimeException(message, first)
				: new TesseraException(message, first);
	}

	/** The version this jar was built as, which the native library must match. */
	public static String expectedVersion() {
		String fromManifest = NativeLibrary.class.getPackage().getImplementationVersion();
		if (fromManifest != null)
			return fromManifest;
		try (InputStream in = NativeLibrary.class.getResourceAsStream("tessera-version.properties")) {
			if (in == null)
				throw new TesseraException("this build of Tessera does not know its own version (no tessera-version.properties)");
			var properties = new Properties();
			properties.load(in);
			return properties.getProperty("version");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static NativeInfo load() {
		String expected = expectedVersion();
		NativePlatform platform = NativePlatform.current();
		String dirOverride = System.getProperty(NATIVE_DIR_PROPERTY);
		Path dir;
		if (dirOverride != null) {
			dir = Path.of(dirOverride);
		} else {
			var carried = NativePlatform.inJar();
			if (!carried.contains(platform))
				throw new TesseraException(platform.notInJar(carried));
			dir = NativeExtractor.extract(extractionRoot(), expected, platform.folder());
		}
		String ortOverride = System.getProperty(ONNXRUNTIME_PROPERTY);
		Path ort = (ortOverride != null ? Path.of(ortOverride) : dir.resolve(platform.onnxRuntimeLibrary())).toAbsolutePath();
		Path jni = dir.resolve(platform.jniLibrary()).toAbsolutePath();

		if (!Files.isRegularFile(ort))
			throw new OnnxRuntimeException("ONNX Runtime library not found: " + ort);
		// What ONNX Runtime links that the jar carries (Windows: the Visual C++ runtime), loaded
		// first from beside it: Windows does not look in a library's own folder for what it needs.
		for (String dependency : platform.runtimeLibraries()) {
			Path file = ort.resolveSibling(dependency);
			if (!Files.isRegularFile(file))
				continue;
			try {
				System.load(file.toString());
			} catch (UnsatisfiedLinkError e) {
				throw new OnnxRuntimeException("cannot load " + file + ", which ONNX Runtime needs: " + e.getMessage(), e);
			}
		}
		try {
			System.load(ort.toString());
		} catch (UnsatisfiedLinkError e) {
			throw new OnnxRuntimeException("cannot load ONNX Runtime from " + ort + ": " + e.getMessage(), e);
		}
		if (!Files.isRegularFile(jni))
			throw new TesseraException("Tessera's native library not found: " + jni);
		try {
			System.load(jni.toString());
		} catch (UnsatisfiedLinkError e) {
			throw new TesseraException("cannot load Tessera's native library " + jni + ": " + e.getMessage(), e);
		}
		NativeMethods.verify(NativeBridge.class, NativeBridge.registerNatives());
		checkVersion(expected, NativeBridge.version(), jni);
		String ortBuild = NativeBridge.initRuntime(ort.toString());
		return new NativeInfo(expected, jni, ort, ortBuild);
	}

	/**
	 * Refuses a native library built for another version of the extension.
	 * @throws TesseraException naming both versions and the library
	 */
	static void checkVersion(String expected, String actual, Path library) {
		if (!expected.equals(actual))
			throw new TesseraException("Tessera's native library " + library + " is version " + actual
					+ " but the extension is version " + expected
					+ ": remove the old native library (or the " + NATIVE_DIR_PROPERTY + " setting) and restart QuPath");
	}

	private static Path extractionRoot() {
		if (cacheRoot != null)
			return cacheRoot;
		String property = System.getProperty(CACHE_PROPERTY);
		if (property != null)
			return Path.of(property);
		return Path.of(System.getProperty("java.io.tmpdir"), "tessera-natives-" + System.getProperty("user.name", "user"));
	}
}
