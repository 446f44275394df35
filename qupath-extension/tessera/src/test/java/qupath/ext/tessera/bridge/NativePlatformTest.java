package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class NativePlatformTest {

	@Test
	void theJvmsNamesMapToTheJarsFolders() {
		// os.name / os.arch as the JVMs of each system report them.
		assertEquals(Optional.of(NativePlatform.LINUX_X86_64), NativePlatform.of("Linux", "amd64"));
		assertEquals(Optional.of(NativePlatform.WINDOWS_X86_64), NativePlatform.of("Windows 11", "amd64"));
		assertEquals(Optional.of(NativePlatform.WINDOWS_X86_64), NativePlatform.of("Windows Server 2022", "amd64"));
		assertEquals(Optional.of(NativePlatform.MACOS_AARCH64), NativePlatform.of("Mac OS X", "aarch64"));
		assertEquals(Optional.of(NativePlatform.MACOS_AARCH64), NativePlatform.of("Mac OS X", "arm64"));
		assertEquals(Optional.of(NativePlatform.MACOS_X86_64), NativePlatform.of("Mac OS X", "x86_64"));
		assertEquals("windows-x86_64", NativePlatform.WINDOWS_X86_64.folder());
		assertEquals("macos-aarch64", NativePlatform.MACOS_AARCH64.folder());
	}

	@Test
	void eachPlatformNamesItsLibrariesAsItsSystemDoes() {
		assertEquals(System.mapLibraryName("tessera_jni"), NativePlatform.current().jniLibrary());
		assertEquals("tessera_jni.dll", NativePlatform.WINDOWS_X86_64.jniLibrary());
		assertEquals("onnxruntime.dll", NativePlatform.WINDOWS_X86_64.onnxRuntimeLibrary());
		assertEquals("libtessera_jni.dylib", NativePlatform.MACOS_X86_64.jniLibrary());
		assertEquals("libonnxruntime.dylib", NativePlatform.MACOS_AARCH64.onnxRuntimeLibrary());
		assertEquals("libonnxruntime.so.1", NativePlatform.LINUX_X86_64.onnxRuntimeLibrary());
		// The Visual C++ runtime, each library after those it needs.
		assertEquals(List.of("vcruntime140.dll", "vcruntime140_1.dll", "msvcp140.dll", "msvcp140_1.dll"),
				NativePlatform.WINDOWS_X86_64.runtimeLibraries());
		assertEquals(List.of(), NativePlatform.MACOS_AARCH64.runtimeLibraries());
	}

	@Test
	void otherComputersAreNamedWithWhatTesseraRunsOn() {
		assertEquals(Optional.empty(), NativePlatform.of("Linux", "aarch64"));
		assertEquals(Optional.empty(), NativePlatform.of("FreeBSD", "amd64"));
		assertEquals(Optional.empty(), NativePlatform.of("Windows 11", "aarch64"));
		String message = NativePlatform.unsupported("Linux", "aarch64");
		assertTrue(message.contains("os.name \"Linux\"") && message.contains("os.arch \"aarch64\"")
				&& message.contains("linux-aarch64"), message);
		assertTrue(message.contains("linux-x86_64, windows-x86_64, macos-aarch64, macos-x86_64"), message);
	}

	@Test
	void aJarWithoutThisPlatformSaysWhatItCarries() {
		String message = NativePlatform.MACOS_AARCH64.notInJar(List.of(NativePlatform.LINUX_X86_64));
		assertTrue(message.contains("no native libraries for macos-aarch64"), message);
		assertTrue(message.contains("it carries them for linux-x86_64;"), message);
		assertTrue(message.contains("release jar"), message);
	}

	@Test
	void theTestedJarCarriesThisPlatform() {
		// Unit tests run on classes whose resources hold the natives the build laid out.
		assertTrue(NativePlatform.inJar().contains(NativePlatform.current()), NativePlatform.inJar().toString());
	}
}
