/**
 * Tessera's menu commands in QuPath's window: the forms (pre-filled from the current image and
 * the user's preferences), the progress window with Cancel, the results view, the models list,
 * the preferences and the installation check.
 * <p>
 * Every command runs the same job a Groovy script would (see {@link qupath.ext.tessera.Tessera}),
 * on QuPath's background executor, never on the JavaFX thread ({@link JobRunner}); its result or
 * error is shown in a dialog owned by QuPath's main window once the progress window has closed.
 */
package qupath.ext.tessera.gui;
