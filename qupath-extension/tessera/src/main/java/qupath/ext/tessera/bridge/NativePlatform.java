package qupath.ext.tessera.bridge;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The desktop platforms the jar can carry native libraries for, each in its folder
 * {@code natives/<folder>/}, and what the libraries are called there.
 * <p>
 * A platform is found from the JVM's {@code os.name} and {@code os.arch}: Linux, Windows and
 * Mac OS X; {@code amd64}/{@code x86_64} and {@code aarch64}/{@code arm64}.
 */
enum NativePlatform {

	/** Linux on x86-64 (glibc 2.28 or later, as ONNX Runtime's manylinux_2_28 wheel). */
	LINUX_X86_64("linux-x86_64", "libtessera_jni.so", "libonnxruntime.so.1", List.of()),
	/**
	 * Windows on x86-64. ONNX Runtime needs the Visual C++ runtime, which the jar carries (Java
	 * runtimes ship only part of it); it is loaded first, in dependency order.
	 */
	WINDOWS_X86_64("windows-x86_64", "tessera_jni.dll", "onnxruntime.dll",
			List.of("vcruntime140.dll", "vcruntime140_1.dll", "msvcp140.dll", "msvcp140_1.dll")),
	/** macOS on Apple silicon. */
	MACOS_AARCH64("macos-aarch64", "libtessera_jni.dylib", "libonnxruntime.dylib", List.of()),
	/** macOS on Intel. */
	MACOS_X86_64("macos-x86_64", "libtessera_jni.dylib", "libonnxruntime.dylib", List.of());

	private final String folder;
	private final String jniLibrary;
	private final String onnxRuntimeLibrary;
	private final List<String> runtimeLibraries;

	NativePlatform(String folder, String jniLibrary, String onnxRuntimeLibrary, List<String> runtimeLibraries) {
		this.folder = folder;
		this.jniLibrary = jniLibrary;
		this.onnxRuntimeLibrary = onnxRuntimeLibrary;
		this.runtimeLibraries = runtimeLibraries;
	}

	/** The folder under {@code natives/} in the jar, e.g. {@code windows-x86_64}. */
	String folder() {
		return folder;
	}

	/** Tessera's JNI library's file name on this platform. */
	String jniLibrary() {
		return jniLibrary;
	}

	/** ONNX Runtime's file name on this platform. */
	String onnxRuntimeLibrary() {
		return onnxRuntimeLibrary;
	}

	/** Libraries ONNX Runtime needs that the jar carries, in the order they must be loaded before it. */
	List<String> runtimeLibraries() {
		return runtimeLibraries;
	}

	/**
	 * The normalised name of an {@code os.name}/{@code os.arch} pair, e.g. {@code macos-aarch64}
	 * for {@code Mac OS X}/{@code arm64}, whether or not Tessera has natives for it.
	 */
	static String name(String osName, String osArch) {
		String os = osName.toLowerCase(Locale.ROOT);
		String arch = osArch.toLowerCase(Locale.ROOT);
		String osPart = os.startsWith("linux") ? "linux"
				: os.startsWith("mac") || os.startsWith("darwin") ? "macos"
				: os.startsWith("windows") ? "windows"
				: os.replaceAll("[^a-z0-9]+", "");
		String archPart = switch (arch) {
			case "amd64", "x86_64", "x86-64", "x64" -> "x86_64";
			case "aarch64", "arm64" -> "aarch64";
			default -> arch.replaceAll("[^a-z0-9_]+", "");
		};
		return osPart + "-" + archPart;
	}

	/** The platform of an {@code os.name}/{@code os.arch} pair, if Tessera has natives for it. */
	static Optional<NativePlatform> of(String osName, String osArch) {
		String name = name(osName, osArch);
		return Arrays.stream(values()).filter(p -> p.folder.equals(name)).findFirst();
	}

	/**
	 * The platform this JVM runs on.
	 * @throws TesseraException naming {@code os.name} and {@code os.arch} and the platforms Tessera
	 *         supports, when it is none of them
	 */
	static NativePlatform current() {
		String osName = System.getProperty("os.name", "");
		String osArch = System.getProperty("os.arch", "");
		return of(osName, osArch).orElseThrow(() -> new TesseraException(unsupported(osName, osArch)));
	}

	/** The message for a computer Tessera has no natives for. */
	static String unsupported(String osName, String osArch) {
		return "Tessera has no native libraries for this computer (os.name \"" + osName + "\", os.arch \"" + osArch
				+ "\", platform " + name(osName, osArch) + "); it runs on " + supported();
	}

	/**
	 * The message for a platform this jar was built without (a jar built for Linux only, as the
	 * development build is, on Windows or a Mac).
	 * @param carried the platforms this jar has natives for
	 */
	String notInJar(List<NativePlatform> carried) {
		return "this Tessera jar has no native libraries for " + folder + " (os.name \"" + System.getProperty("os.name")
				+ "\", os.arch \"" + System.getProperty("os.arch") + "\"): it carries them for "
				+ (carried.isEmpty() ? "no platform" : carried.stream().map(NativePlatform::folder).collect(Collectors.joining(", ")))
				+ "; install the release jar, which carries " + supported();
	}

	/** The platforms this jar carries natives for (those with a {@code natives/<folder>/natives.sha256}). */
	static List<NativePlatform> inJar() {
		return Arrays.stream(values())
				.filter(p -> NativePlatform.class.getResource("/natives/" + p.folder + "/" + NativeExtractor.LISTING) != null)
				.toList();
	}

	private static String supported() {
		return Arrays.stream(values()).map(NativePlatform::folder).collect(Collectors.joining(", "));
	}
}
