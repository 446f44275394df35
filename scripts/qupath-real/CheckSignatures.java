import java.io.File;
import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.Opcode;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.InterfaceMethodRefEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.MethodHandleEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks every QuPath type and member that the Tessera jar's bytecode refers to against a real
 * QuPath build given as a folder of jars (QuPath's own jars and their dependencies).
 *
 * <p>usage: {@code java CheckSignatures.java QUPATH_LIB_DIR TESSERA_JAR} (Java 25: java.lang.classfile)
 *
 * <p>Collected from the jar: every class named in the constant pool or in any descriptor or
 * signature; every field and method reference (instructions, method handles) owned by a
 * {@code qupath.*} class that is not in the jar, with its full JVM descriptor and the kind of
 * access (static or not, interface or not); and the methods our classes override or must
 * implement from QuPath supertypes. Each is resolved against the real classes the way the JVM
 * links them: classes are loaded without being initialised, members are looked up through the
 * superclasses and superinterfaces by exact name and descriptor. Prints one line per mismatch and
 * {@code signatures: N checked, M mismatches}; exits 1 when there is a mismatch.
 *
 * <p>{@code java CheckSignatures.java --api QUPATH_LIB_DIR API_JAR} instead checks a compiled
 * stand-in of QuPath's API (such as {@code qupath-extension/qupath-api}): every class, non-private
 * constructor, method and field it declares must exist in the real QuPath with the same
 * descriptor, static-ness and kind, and the real class must have the supertypes it declares.
 */
public class CheckSignatures {

	private static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L(qupath/[A-Za-z0-9_/$]+)[;<]");

	private final ClassLoader loader;
	private final Map<String, ClassModel> ours = new TreeMap<>();
	/** reference key -> classes that use it */
	private final Map<String, Set<String>> usedBy = new TreeMap<>();
	private final List<String> mismatches = new ArrayList<>();
	private final List<String> notes = new ArrayList<>();
	private int checked;

	CheckSignatures(ClassLoader loader) {
		this.loader = loader;
	}

	public static void main(String[] args) throws Exception {
		boolean api = args.length == 3 && args[0].equals("--api");
		if (api)
			args = new String[] { args[1], args[2] };
		if (args.length != 2) {
			System.err.println("usage: java CheckSignatures.java [--api] QUPATH_LIB_DIR JAR");
			System.exit(2);
		}
		File[] jars = new File(args[0]).listFiles((d, n) -> n.endsWith(".jar"));
		if (jars == null || jars.length == 0) {
			System.err.println("signatures: no jars in " + args[0]);
			System.exit(2);
		}
		Arrays.sort(jars);
		URL[] urls = new URL[jars.length];
		for (int i = 0; i < jars.length; i++)
			urls[i] = jars[i].toURI().toURL();
		try (var loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
			var check = new CheckSignatures(loader);
			if (api)
				check.checkDeclared(args[1]);
			else {
				check.read(args[1]);
				check.run();
			}
			check.notes.forEach(n -> System.out.println("note: " + n));
			check.mismatches.forEach(System.out::println);
			System.out.println("signatures: " + check.checked + " checked, " + check.mismatches.size() + " mismatches");
			System.exit(check.mismatches.isEmpty() ? 0 : 1);
		}
	}

	// ---- collecting

	private record MemberRef(String kind, String owner, String name, String descriptor, Boolean isStatic,
			Boolean isInterface) {
		String key() {
			return owner + "." + name + (kind.equals("field") ? ":" : "") + descriptor;
		}
	}

	private final Map<String, MemberRef> members = new TreeMap<>();
	private final Set<String> classes = new TreeSet<>();

	private boolean isExternalQuPath(String internalName) {
		return internalName.startsWith("qupath/") && !ours.containsKey(internalName);
	}

	void read(String jarPath) throws IOException {
		try (var jar = new JarFile(jarPath)) {
			for (var entry : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
				if (entry.getName().startsWith("META-INF/"))
					continue;
				ClassModel model = ClassFile.of().parse(jar.getInputStream(entry).readAllBytes());
				ours.put(model.thisClass().asInternalName(), model);
			}
		}
		if (ours.isEmpty())
			throw new IOException("no classes in " + jarPath);
		for (ClassModel model : ours.values())
			collect(model);
	}

	private void use(String key, ClassModel by) {
		usedBy.computeIfAbsent(key, k -> new TreeSet<>()).add(by.thisClass().asInternalName());
	}

	private void addClass(String internalName, ClassModel by) {
		String name = internalName;
		while (name.startsWith("["))
			name = name.substring(1);
		if (name.startsWith("L") && name.endsWith(";"))
			name = name.substring(1, name.length() - 1);
		if (isExternalQuPath(name)) {
			classes.add(name);
			use(name, by);
		}
	}

	private void addTypesIn(String descriptorOrSignature, ClassModel by) {
		Matcher m = TYPE_IN_DESCRIPTOR.matcher(descriptorOrSignature);
		while (m.find())
			addClass(m.group(1), by);
	}

	private void addMember(MemberRef ref, ClassModel by) {
		if (!isExternalQuPath(ref.owner()))
			return;
		addClass(ref.owner(), by);
		addTypesIn(ref.descriptor(), by);
		MemberRef old = members.get(ref.key());
		if (old == null || (old.isStatic() == null && ref.isStatic() != null))
			members.put(ref.key(), ref);
		else if (ref.isStatic() != null && old.isStatic() != null && !old.isStatic().equals(ref.isStatic()))
			mismatches.add("INCONSISTENT " + ref.key() + " used both as static and as instance member");
		use(ref.key(), by);
	}

	private void collect(ClassModel model) {
		for (PoolEntry entry : model.constantPool()) {
			if (entry instanceof ClassEntry c)
				addClass(c.asInternalName(), model);
			else if (entry instanceof Utf8Entry u)
				addTypesIn(u.stringValue(), model);
			else if (entry instanceof MethodHandleEntry mh) {
				MemberRefEntry r = mh.reference();
				int kind = mh.kind();
				boolean field = kind <= 4;
				boolean isStatic = kind == 2 || kind == 4 || kind == 6;
				addMember(new MemberRef(field ? "field" : "method", r.owner().asInternalName(), r.name().stringValue(),
						r.type().stringValue(), kind == 8 ? Boolean.FALSE : isStatic,
						field ? null : r instanceof InterfaceMethodRefEntry), model);
			}
		}
		for (MethodModel method : model.methods()) {
			method.code().ifPresent(code -> {
				for (CodeElement element : code) {
					if (element instanceof InvokeInstruction inv) {
						Opcode op = inv.opcode();
						addMember(new MemberRef("method", inv.owner().asInternalName(), inv.name().stringValue(),
								inv.type().stringValue(), op == Opcode.INVOKESTATIC, inv.isInterface()), model);
					} else if (element instanceof FieldInstruction f) {
						Opcode op = f.opcode();
						addMember(new MemberRef("field", f.owner().asInternalName(), f.name().stringValue(),
								f.type().stringValue(), op == Opcode.GETSTATIC || op == Opcode.PUTSTATIC, null), model);
					}
				}
			});
		}
		// member refs only in the constant pool (e.g. in bootstrap arguments already handled, or unused)
		for (PoolEntry entry : model.constantPool()) {
			if (entry instanceof MemberRefEntry r && isExternalQuPath(r.owner().asInternalName())) {
				String kind = r instanceof FieldRefEntry ? "field" : "method";
				var ref = new MemberRef(kind, r.owner().asInternalName(), r.name().stringValue(), r.type().stringValue(),
						null, kind.equals("field") ? null : r instanceof InterfaceMethodRefEntry);
				if (!members.containsKey(ref.key()))
					addMember(ref, model);
			}
		}
	}

	// ---- resolving

	private final Map<String, Object> loaded = new LinkedHashMap<>();

	private Class<?> load(String internalName) {
		Object c = loaded.computeIfAbsent(internalName, n -> {
			try {
				return Class.forName(n.replace('/', '.'), false, loader);
			} catch (Throwable e) {
				return e;
			}
		});
		return c instanceof Class<?> k ? k : null;
	}

	private String why(String internalName) {
		Object c = loaded.get(internalName);
		return c instanceof Throwable t ? t.toString() : "";
	}

	private static String descriptor(Executable e) {
		Class<?> ret = e instanceof Method m ? m.getReturnType() : void.class;
		return MethodType.methodType(ret, e.getParameterTypes()).toMethodDescriptorString();
	}

	private String users(String key) {
		var u = usedBy.getOrDefault(key, Set.of());
		var names = u.stream().map(n -> n.substring(n.lastIndexOf('/') + 1)).toList();
		return names.size() > 4 ? String.join(", ", names.subList(0, 4)) + ", +" + (names.size() - 4)
				: String.join(", ", names);
	}

	private String usedByText(String key) {
		String u = users(key);
		return u.isEmpty() ? "" : "; used by " + u;
	}

	/** superclasses first, then all superinterfaces (JVM method resolution order) */
	private static List<Class<?>> lookupOrder(Class<?> c) {
		List<Class<?>> order = new ArrayList<>();
		for (Class<?> k = c; k != null; k = k.getSuperclass())
			order.add(k);
		Set<Class<?>> interfaces = new LinkedHashSet<>();
		Deque<Class<?>> todo = new ArrayDeque<>(order);
		while (!todo.isEmpty()) {
			for (Class<?> i : todo.pop().getInterfaces())
				if (interfaces.add(i))
					todo.add(i);
		}
		order.addAll(interfaces);
		if (c.isInterface())
			order.add(Object.class);
		return order;
	}

	private List<Executable> declared(Class<?> k, String name) {
		List<Executable> all = new ArrayList<>();
		try {
			if (name.equals("<init>"))
				all.addAll(Arrays.asList(k.getDeclaredConstructors()));
			else
				for (Method m : k.getDeclaredMethods())
					if (m.getName().equals(name))
						all.add(m);
		} catch (Throwable e) {
			notes.add("cannot list the methods of " + k.getName() + ": " + e);
		}
		return all;
	}

	void run() {
		for (String c : classes) {
			checked++;
			if (load(c) == null)
				mismatches.add("MISSING CLASS " + c + "  (" + why(c) + "; used by " + users(c) + ")");
		}
		for (MemberRef ref : members.values()) {
			checked++;
			Class<?> owner = load(ref.owner());
			if (owner == null) {
				mismatches.add("MISSING " + ref.kind().toUpperCase() + " " + ref.key() + "  (class "
						+ ref.owner() + " does not exist; used by " + users(ref.key()) + ")");
				continue;
			}
			if (ref.kind().equals("field"))
				checkField(owner, ref);
			else
				checkMethod(owner, ref);
		}
		for (ClassModel model : ours.values())
			checkOverrides(model);
	}

	private void checkField(Class<?> owner, MemberRef ref) {
		for (Class<?> k : lookupOrder(owner)) {
			Field f;
			try {
				f = k.getDeclaredField(ref.name());
			} catch (NoSuchFieldException e) {
				continue;
			} catch (Throwable e) {
				notes.add("cannot list the fields of " + k.getName() + ": " + e);
				continue;
			}
			String actual = f.getType().descriptorString();
			if (!actual.equals(ref.descriptor()))
				mismatches.add("FIELD TYPE " + ref.key() + "  (real: " + actual + usedByText(ref.key()) + ")");
			else if (ref.isStatic() != null && ref.isStatic() != Modifier.isStatic(f.getModifiers()))
				mismatches.add("STATIC MISMATCH " + ref.key() + "  (real field is " + (Modifier.isStatic(f.getModifiers())
						? "static" : "an instance field") + usedByText(ref.key()) + ")");
			else if (!Modifier.isPublic(f.getModifiers()) && !Modifier.isProtected(f.getModifiers()))
				mismatches.add("NOT ACCESSIBLE " + ref.key() + "  (" + Modifier.toString(f.getModifiers()) + ")");
			return;
		}
		mismatches.add("MISSING FIELD " + ref.key() + "  (used by " + users(ref.key()) + ")");
	}

	private void checkMethod(Class<?> owner, MemberRef ref) {
		if (ref.isInterface() != null && ref.isInterface() != owner.isInterface() && !ref.name().equals("<init>"))
			mismatches.add("INTERFACE MISMATCH " + ref.key() + "  (called as " + (ref.isInterface() ? "an interface"
					: "a class") + " method, but " + ref.owner() + " is " + (owner.isInterface() ? "an interface"
					: "a class") + usedByText(ref.key()) + ")");
		List<String> candidates = new ArrayList<>();
		List<Class<?>> order = ref.name().equals("<init>") ? List.of(owner) : lookupOrder(owner);
		for (Class<?> k : order) {
			for (Executable e : declared(k, ref.name())) {
				String d = descriptor(e);
				if (!d.equals(ref.descriptor())) {
					candidates.add(k.getName().replace('.', '/') + "." + ref.name() + d);
					continue;
				}
				boolean isStatic = Modifier.isStatic(e.getModifiers());
				if (ref.isStatic() != null && ref.isStatic() != isStatic)
					mismatches.add("STATIC MISMATCH " + ref.key() + "  (real method is " + (isStatic ? "static"
							: "an instance method") + usedByText(ref.key()) + ")");
				else if (Modifier.isPrivate(e.getModifiers())
						|| (!Modifier.isPublic(e.getModifiers()) && !Modifier.isProtected(e.getModifiers())))
					mismatches.add("NOT ACCESSIBLE " + ref.key() + "  (" + Modifier.toString(e.getModifiers())
							+ " in " + k.getName() + usedByText(ref.key()) + ")");
				return;
			}
		}
		mismatches.add("MISSING METHOD " + ref.key() + "  (real: "
				+ (candidates.isEmpty() ? "no method of that name" : String.join(" | ", new LinkedHashSet<>(candidates)))
				+ usedByText(ref.key()) + ")");
	}

	/**
	 * Our methods that override a QuPath method by name must match one by descriptor; and a concrete
	 * class of ours must implement every abstract method of its QuPath supertypes.
	 */
	private void checkOverrides(ClassModel model) {
		String self = model.thisClass().asInternalName();
		// our own methods, through our superclasses within the jar; QuPath supertypes reached
		Map<String, Boolean> ownMethods = new TreeMap<>(); // name+descriptor -> abstract
		List<Class<?>> quPathSupers = new ArrayList<>();
		Deque<String> todo = new ArrayDeque<>(List.of(self));
		Set<String> seen = new LinkedHashSet<>();
		while (!todo.isEmpty()) {
			String name = todo.pop();
			if (!seen.add(name))
				continue;
			ClassModel m = ours.get(name);
			if (m == null) {
				if (isExternalQuPath(name)) {
					Class<?> k = load(name);
					if (k != null)
						quPathSupers.add(k);
				}
				continue;
			}
			for (MethodModel mm : m.methods()) {
				if (mm.flags().has(AccessFlag.STATIC) || mm.flags().has(AccessFlag.PRIVATE)
						|| mm.methodName().stringValue().startsWith("<"))
					continue;
				ownMethods.putIfAbsent(mm.methodName().stringValue() + mm.methodType().stringValue(),
						mm.flags().has(AccessFlag.ABSTRACT));
			}
			m.superclass().ifPresent(s -> todo.add(s.asInternalName()));
			m.interfaces().forEach(i -> todo.add(i.asInternalName()));
		}
		if (quPathSupers.isEmpty())
			return;
		Map<String, Executable> realMethods = new TreeMap<>();
		Set<String> realNames = new TreeSet<>();
		for (Class<?> s : quPathSupers) {
			for (Class<?> k : lookupOrder(s)) {
				if (k == Object.class)
					continue;
				try {
					for (Method m : k.getDeclaredMethods()) {
						if (Modifier.isStatic(m.getModifiers()) || Modifier.isPrivate(m.getModifiers()))
							continue;
						String key = m.getName() + descriptor(m);
						realNames.add(m.getName());
						Executable old = realMethods.get(key);
						// a concrete or default method anywhere wins over an abstract declaration
						if (old == null || (Modifier.isAbstract(old.getModifiers()) && !Modifier.isAbstract(m.getModifiers())))
							realMethods.put(key, m);
					}
				} catch (Throwable e) {
					notes.add("cannot list the methods of " + k.getName() + ": " + e);
				}
			}
		}
		String supers = String.join(", ", quPathSupers.stream().map(Class::getName).toList());
		for (String own : ownMethods.keySet()) {
			String name = own.substring(0, own.indexOf('('));
			if (!realNames.contains(name) || ownMethods.get(own))
				continue;
			checked++;
			if (!realMethods.containsKey(own)) {
				List<String> real = realMethods.keySet().stream().filter(k -> k.startsWith(name + "(")).toList();
				mismatches.add("OVERRIDES NOTHING " + self + "." + own + "  (QuPath supertypes " + supers + " have: "
						+ String.join(" | ", real) + ")");
			}
		}
		boolean isAbstract = model.flags().has(AccessFlag.ABSTRACT) || model.flags().has(AccessFlag.INTERFACE);
		if (isAbstract)
			return;
		for (var e : realMethods.entrySet()) {
			if (!Modifier.isAbstract(e.getValue().getModifiers()))
				continue;
			checked++;
			Boolean own = ownMethods.get(e.getKey());
			if (own == null || own)
				mismatches.add("NOT IMPLEMENTED " + self + " lacks " + e.getKey() + "  (abstract in "
						+ e.getValue().getDeclaringClass().getName() + ")");
		}
	}

	// ---- --api: a stand-in of QuPath's API against the real one

	void checkDeclared(String jarPath) throws IOException {
		List<ClassModel> models = new ArrayList<>();
		try (var jar = new JarFile(jarPath)) {
			for (var entry : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
				String n = entry.getName();
				if (n.startsWith("META-INF/") || n.endsWith("package-info.class") || n.endsWith("module-info.class"))
					continue;
				models.add(ClassFile.of().parse(jar.getInputStream(entry).readAllBytes()));
			}
		}
		models.sort((a, b) -> a.thisClass().asInternalName().compareTo(b.thisClass().asInternalName()));
		for (ClassModel model : models) {
			String name = model.thisClass().asInternalName();
			checked++;
			Class<?> real = load(name);
			if (real == null) {
				mismatches.add("MISSING CLASS " + name + "  (" + why(name) + ")");
				continue;
			}
			boolean isInterface = model.flags().has(AccessFlag.INTERFACE);
			if (isInterface != real.isInterface())
				mismatches.add("KIND " + name + "  (declared " + (isInterface ? "an interface" : "a class") + ", real is "
						+ (real.isInterface() ? "an interface" : "a class") + ")");
			List<String> supers = new ArrayList<>();
			model.superclass().ifPresent(c -> supers.add(c.asInternalName()));
			model.interfaces().forEach(c -> supers.add(c.asInternalName()));
			for (String s : supers) {
				Class<?> k = s.startsWith("qupath/") ? load(s) : loadAny(s);
				if (k != null && !k.isAssignableFrom(real))
					mismatches.add("SUPERTYPE " + name + "  (declared to extend/implement " + s + "; the real one does not)");
			}
			for (var field : model.fields()) {
				if (field.flags().has(AccessFlag.PRIVATE) || field.flags().has(AccessFlag.SYNTHETIC))
					continue;
				var ref = new MemberRef("field", name, field.fieldName().stringValue(), field.fieldType().stringValue(),
						field.flags().has(AccessFlag.STATIC), null);
				checked++;
				checkField(real, ref);
			}
			for (MethodModel method : model.methods()) {
				String m = method.methodName().stringValue();
				if (m.equals("<clinit>") || method.flags().has(AccessFlag.PRIVATE) || method.flags().has(AccessFlag.SYNTHETIC)
						|| method.flags().has(AccessFlag.BRIDGE))
					continue;
				var ref = new MemberRef("method", name, m, method.methodType().stringValue(),
						m.equals("<init>") ? Boolean.FALSE : method.flags().has(AccessFlag.STATIC), null);
				checked++;
				int before = mismatches.size();
				checkMethod(real, ref);
				// javac gives a stub without constructors a no-argument one: not part of the declared API
				if (m.equals("<init>") && ref.descriptor().equals("()V") && mismatches.size() > before)
					notes.add("(implicit constructor of the stand-in) " + mismatches.remove(mismatches.size() - 1));
			}
		}
	}

	private Class<?> loadAny(String internalName) {
		try {
			return Class.forName(internalName.replace('/', '.'), false, loader);
		} catch (Throwable e) {
			return null;
		}
	}
}
