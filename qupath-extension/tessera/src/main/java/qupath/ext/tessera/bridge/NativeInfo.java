package qupath.ext.tessera.bridge;

import java.nio.file.Path;

/**
 * What {@link NativeLibrary} loaded.
 * @param version the native library's version (equal to the jar's)
 * @param library the native library file
 * @param onnxRuntime the ONNX Runtime library file
 * @param onnxRuntimeBuild ONNX Runtime's build description (version, commit)
 */
public record NativeInfo(String version, Path library, Path onnxRuntime, String onnxRuntimeBuild) {}
