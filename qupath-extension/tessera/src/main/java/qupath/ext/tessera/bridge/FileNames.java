package qupath.ext.tessera.bridge;

/**
 * Names from user data (class names, image names) made safe as one file or folder name on every
 * desktop system, by the native core's rule: nothing Tessera writes can leave the folder it was
 * given (a class named {@code ..}, {@code /} or the empty string), and Windows can open every
 * file (no device names, no trailing dots).
 */
public final class FileNames {

	private FileNames() {}

	/**
	 * @param name a name from user data
	 * @return it as one safe file name, never empty
	 */
	public static String safe(String name) {
		NativeLibrary.ensureLoaded();
		return NativeBridge.safeFileName(name);
	}
}
