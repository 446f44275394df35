package qupath.ext.tessera;

import java.util.Locale;

/** Values written into the Groovy lines that workflow steps record. */
final class Scripts {

	private Scripts() {}

	/** @return {@code value} as Groovy reads it back (locale-independent) */
	static String number(double value) {
		return String.format(Locale.ROOT, "%s", value);
	}

	/** @return {@code text} as a single-quoted Groovy string */
	static String quoted(String text) {
		return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
	}
}
