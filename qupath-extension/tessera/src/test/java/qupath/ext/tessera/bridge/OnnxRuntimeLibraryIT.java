package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A missing, too old or wrong ONNX Runtime library gives a clear error, never a crash. Each case
 * runs {@link Diagnostics} in a fresh JVM (a JVM loads one ONNX Runtime for good) with
 * {@code -Xcheck:jni}, whose output must hold no JNI warning.
 */
class OnnxRuntimeLibraryIT {

	private record Result(int exitCode, String output) {}

	private static Result diagnostics(String onnxRuntime) throws IOException, InterruptedException {
		return run(onnxRuntime, Diagnostics.class, System.getProperty("tessera.test.jar"));
	}

	private static Result run(String onnxRuntime, Class<?> main, String classpath) throws IOException, InterruptedException {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		List<String> command = new ArrayList<>(List.of(java.toString(), "-Xcheck:jni", "--enable-native-access=ALL-UNNAMED",
				"-D" + NativeLibrary.CACHE_PROPERTY + "=" + System.getProperty(NativeLibrary.CACHE_PROPERTY)));
		if (onnxRuntime != null)
			command.add("-D" + NativeLibrary.ONNXRUNTIME_PROPERTY + "=" + onnxRuntime);
		command.addAll(List.of("-cp", classpath, main.getName()));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(process.waitFor(120, TimeUnit.SECONDS), "diagnostics did not finish");
		assertFalse(output.contains("WARNING in native method"), "-Xcheck:jni warned:\n" + output);
		assertFalse(output.contains("SIGSEGV") || output.contains("hs_err"), "the JVM crashed:\n" + output);
		return new Result(process.exitValue(), output);
	}

	@Test
	void theBundledRuntimeWorks() throws Exception {
		Result result = diagnostics(null);
		assertEquals(0, result.exitCode(), result.output());
		assertTrue(result.output().contains("probe model probabilities"), result.output());
	}

	@Test
	void aMissingLibraryIsNamed() throws Exception {
		Result result = diagnostics("/nonexistent/libonnxruntime.so.1");
		assertEquals(1, result.exitCode(), result.output());
		assertTrue(result.output().contains("ONNX Runtime library not found: /nonexistent/libonnxruntime.so.1"), result.output());
	}

	@Test
	void anOldVersionIsRefusedWithBothVersions() throws Exception {
		Path old = Path.of(System.getProperty("tessera.test.old-onnxruntime"));
		assertTrue(Files.isRegularFile(old), "scripts/fetch-onnxruntime.sh target/onnxruntime-1.21.1 1.21.1 provides " + old);
		Result result = diagnostics(old.toString());
		assertEquals(1, result.exitCode(), result.output());
		assertTrue(result.output().contains("1.21.1") && result.output().contains("1.22"), result.output());
	}

	@Test
	void aLibraryThatIsNotOnnxRuntimeIsRefused() throws Exception {
		Path zlib = Files.list(Path.of("/usr/lib/x86_64-linux-gnu"))
				.filter(p -> p.getFileName().toString().startsWith("libz.so.1")).findFirst().orElseThrow();
		Result result = diagnostics(zlib.toString());
		assertEquals(1, result.exitCode(), result.output());
		assertTrue(result.output().contains("OrtGetApiBase"), result.output());
	}

	@Test
	void aFailureIsRememberedAndRethrownWithItsCause() throws Exception {
		String testClasses = Path.of(LoadTwice.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
		Result result = run("/nonexistent/libonnxruntime.so.1", LoadTwice.class,
				System.getProperty("tessera.test.jar") + java.io.File.pathSeparator + testClasses);
		assertEquals(0, result.exitCode(), result.output());
		assertTrue(result.output().contains("first: OnnxRuntimeException: ONNX Runtime library not found"), result.output());
		assertTrue(result.output().contains("second: OnnxRuntimeException: ONNX Runtime library not found"), result.output());
		assertTrue(result.output().contains("same cause: true"), result.output());
	}
}
