package qupath.ext.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.FieldRefEntry;
import java.lang.classfile.constantpool.MemberRefEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/**
 * Every QuPath type and member the shipped jar's bytecode refers to, with its full descriptor, is listed in
 * {@code qupath-extension/QUPATH-CALLS.txt}, so that the list (to check against a real QuPath)
 * is exact: a new call fails this test until the list names it.
 */
class QuPathCallsIT {

	private static final Path LIST = Path.of("../QUPATH-CALLS.txt");

	private static boolean isQuPath(String internalName) {
		return internalName.startsWith("qupath/lib/") || internalName.startsWith("qupath/fx/");
	}

	/**
	 * A QuPath reference with its full JVM descriptor (so a wrong package in a parameter or return
	 * type shows), e.g. {@code qupath.lib.objects.hierarchy.PathObjectHierarchy.getSelectionModel()Lqupath/lib/objects/hierarchy/events/PathObjectSelectionModel;}.
	 */
	private static String describe(PoolEntry entry) {
		if (entry instanceof MemberRefEntry member && isQuPath(member.owner().asInternalName())) {
			String owner = member.owner().asInternalName().replace('/', '.');
			String descriptor = member.type().stringValue();
			return owner + "." + member.name().stringValue() + (member instanceof FieldRefEntry ? ":" : "") + descriptor;
		}
		if (entry instanceof ClassEntry type && isQuPath(type.asInternalName()))
			return type.asInternalName().replace('/', '.');
		return null;
	}

	@Test
	void everyQuPathReferenceIsListed() throws IOException {
		Set<String> found = new TreeSet<>();
		try (var jar = new JarFile(System.getProperty("tessera.test.jar"))) {
			for (var entry : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
				var model = ClassFile.of().parse(jar.getInputStream(entry).readAllBytes());
				for (PoolEntry pool : model.constantPool()) {
					String line = describe(pool);
					if (line != null)
						found.add(line);
				}
			}
		}
		List<String> listed = Files.readAllLines(LIST).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
		Path actual = Path.of("../target/qupath-calls.txt");
		Files.write(actual, found);
		assertEquals(listed, List.copyOf(found), "the QuPath API in use changed: compare " + LIST + " with " + actual);
	}
}
