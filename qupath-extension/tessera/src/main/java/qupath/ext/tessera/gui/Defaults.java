package qupath.ext.tessera.gui;

import java.nio.file.Path;

/**
 * The user's preferred starting values of the dialogs (from {@link TesseraPreferences} in QuPath).
 * @param tileSize tile side in pixels
 * @param micronsPerPixel resolution of the tiles
 * @param threads ONNX Runtime threads
 * @param modelDirectory where models go when no project is open
 */
public record Defaults(int tileSize, double micronsPerPixel, int threads, Path modelDirectory) {}
