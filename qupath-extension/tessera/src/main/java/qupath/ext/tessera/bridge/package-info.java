/**
 * Tessera's bridge to its native core: loading the native library, handles to native objects,
 * progress and cancellation, and the exceptions native failures become.
 * <p>
 * This package does not depend on QuPath, so it is tested for real with the native library loaded
 * from the built jar. All native calls go through the package-private {@code NativeBridge}.
 */
package qupath.ext.tessera.bridge;
