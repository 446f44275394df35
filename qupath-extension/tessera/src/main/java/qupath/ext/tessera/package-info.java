/**
 * Tessera inside QuPath: the extension's menu commands and the thin layer that talks to QuPath.
 * <p>
 * Everything that can be tested without QuPath lives in {@link qupath.ext.tessera.bridge}; this
 * package only adapts QuPath's API to it.
 */
package qupath.ext.tessera;
