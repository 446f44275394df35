package qupath.ext.tessera.bridge;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks that the native library registered exactly the native methods a class declares.
 */
final class NativeMethods {

	private NativeMethods() {}

	/**
	 * @param bridge the class whose {@code native} methods must all be registered
	 * @param registered what the native library registered, each as {@code name + JNI descriptor}
	 * @throws TesseraException listing the methods that differ
	 */
	static void verify(Class<?> bridge, String[] registered) {
		Set<String> declared = declared(bridge);
		Set<String> provided = new TreeSet<>(Arrays.asList(registered));
		Set<String> missing = new TreeSet<>(declared);
		missing.removeAll(provided);
		Set<String> extra = new TreeSet<>(provided);
		extra.removeAll(declared);
		// registerNatives itself is resolved by its exported symbol, not registered.
		missing.remove("registerNatives()[Ljava/lang/String;");
		if (!missing.isEmpty() || !extra.isEmpty())
			throw new TesseraException("Tessera's native library does not match " + bridge.getName()
					+ ": not registered " + missing + ", unknown to Java " + extra
					+ " (the jar and the native library come from different builds)");
	}

	/** The class's native methods, each as {@code name + JNI descriptor}. */
	static Set<String> declared(Class<?> bridge) {
		return Arrays.stream(bridge.getDeclaredMethods())
				.filter(m -> Modifier.isNative(m.getModifiers()))
				.map(NativeMethods::descriptor)
				.collect(Collectors.toCollection(TreeSet::new));
	}

	private static String descriptor(Method method) {
		return method.getName()
				+ MethodType.methodType(method.getReturnType(), method.getParameterTypes()).toMethodDescriptorString();
	}
}
