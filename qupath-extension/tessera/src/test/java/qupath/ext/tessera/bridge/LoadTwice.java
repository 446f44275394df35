package qupath.ext.tessera.bridge;

/**
 * Run in a fresh JVM by {@link OnnxRuntimeLibraryIT}: tries to load twice and prints what each
 * attempt threw, to show that a failure is remembered and re-thrown with its original cause.
 */
public final class LoadTwice {

	private LoadTwice() {}

	/**
	 * @param args ignored
	 */
	public static void main(String[] args) {
		TesseraException first = attempt();
		TesseraException second = attempt();
		System.out.println("first: " + first.getClass().getSimpleName() + ": " + first.getMessage());
		System.out.println("second: " + second.getClass().getSimpleName() + ": " + second.getMessage());
		System.out.println("same cause: " + (first.getCause() == second.getCause() && first.getCause() != null));
	}

	private static TesseraException attempt() {
		try {
			NativeLibrary.ensureLoaded();
			throw new AssertionError("loading was expected to fail");
		} catch (TesseraException e) {
			return e;
		}
	}
}
