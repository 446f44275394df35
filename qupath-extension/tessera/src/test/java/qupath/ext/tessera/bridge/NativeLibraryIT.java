package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/** The real native library, extracted from the built jar and loaded into this JVM. */
class NativeLibraryIT {

	@Test
	void loadsFromTheBuiltJarAndMatchesItsVersion() throws Exception {
		Path codeSource = Path.of(NativeLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		assertTrue(codeSource.toString().endsWith(".jar"), "tests must run against the jar, not classes: " + codeSource);

		NativeInfo info = NativeLibrary.ensureLoaded();
		assertEquals(NativeLibrary.expectedVersion(), info.version());
		assertEquals(NativeBridge.version(), info.version());
		Path cache = Path.of(System.getProperty(NativeLibrary.CACHE_PROPERTY));
		assertTrue(info.library().startsWith(cache), info.library() + " not extracted under " + cache);
		assertTrue(Files.isRegularFile(info.onnxRuntime()), info.onnxRuntime().toString());
		assertTrue(info.onnxRuntimeBuild().startsWith("ONNX Runtime 1.31.1"), info.onnxRuntimeBuild());
	}

	@Test
	void loadingTwiceIsHarmless() {
		assertEquals(NativeLibrary.ensureLoaded(), NativeLibrary.ensureLoaded());
	}

	@Test
	void everyDeclaredNativeMethodIsRegistered() {
		NativeLibrary.ensureLoaded();
		var declared = NativeMethods.declared(NativeBridge.class);
		declared.remove("registerNatives()[Ljava/lang/String;");
		var registered = java.util.Set.of(NativeBridge.registerNatives());
		assertEquals(declared, new java.util.TreeSet<>(registered));
	}

	@Test
	void jarBundlesBothLibrariesAndNoQuPathClasses() throws Exception {
		try (var jar = new JarFile(System.getProperty("tessera.test.jar"))) {
			assertTrue(jar.getEntry("natives/linux-x86_64/libtessera_jni.so") != null);
			assertTrue(jar.getEntry("natives/linux-x86_64/libonnxruntime.so.1") != null);
			assertTrue(jar.getEntry("natives/linux-x86_64/natives.sha256") != null);
			var foreign = jar.stream().map(e -> e.getName())
					.filter(n -> n.startsWith("qupath/lib/") || n.startsWith("qupath/fx/") || n.startsWith("javafx/")
							|| n.startsWith("org/locationtech/"))
					.toList();
			assertTrue(foreign.isEmpty(), "QuPath or its dependencies inside the jar: " + foreign);
			assertFalse(jar.getManifest().getMainAttributes().getValue("Implementation-Version").isBlank());
		}
	}
}
