package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

class NativeMethodsTest {

	@SuppressWarnings("unused")
	static final class Sample {
		static native long open(String path, int flags);
		static native float[] run(long handle, ByteBuffer data, ProgressListener listener);
		static long notNative() {
			return 0;
		}
	}

	@Test
	void descriptorsFollowTheJniSpecification() {
		var declared = NativeMethods.declared(Sample.class);
		assertTrue(declared.contains("open(Ljava/lang/String;I)J"), declared.toString());
		assertTrue(declared.contains("run(JLjava/nio/ByteBuffer;Lqupath/ext/tessera/bridge/ProgressListener;)[F"), declared.toString());
		assertTrue(declared.size() == 2, "only native methods count: " + declared);
	}

	@Test
	void matchingRegistrationPasses() {
		assertDoesNotThrow(() -> NativeMethods.verify(Sample.class, new String[] {
				"open(Ljava/lang/String;I)J",
				"run(JLjava/nio/ByteBuffer;Lqupath/ext/tessera/bridge/ProgressListener;)[F" }));
	}

	@Test
	void driftIsRefusedNamingTheMethods() {
		var e = assertThrows(TesseraException.class, () -> NativeMethods.verify(Sample.class, new String[] {
				"open(Ljava/lang/String;)J",
				"run(JLjava/nio/ByteBuffer;Lqupath/ext/tessera/bridge/ProgressListener;)[F" }));
		assertTrue(e.getMessage().contains("open(Ljava/lang/String;I)J"), e.getMessage());
		assertTrue(e.getMessage().contains("open(Ljava/lang/String;)J"), e.getMessage());
	}
}
