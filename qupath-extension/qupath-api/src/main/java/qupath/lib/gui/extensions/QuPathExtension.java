package qupath.lib.gui.extensions;

import qupath.lib.common.Version;
import qupath.lib.gui.QuPathGUI;

/** Compile-only mirror of QuPath 0.6.0's {@code qupath.lib.gui.extensions.QuPathExtension} (no installHeadless: that is 0.7+). */
public interface QuPathExtension {

    void installExtension(QuPathGUI qupath);

    String getName();

    String getDescription();

    default Version getQuPathVersion() {
        return Version.UNKNOWN;
    }

    default Version getVersion() {
        return Version.UNKNOWN;
    }
}
