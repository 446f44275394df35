package qupath.ext.tessera.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Progress from a native worker thread, and cancellation of a long native call from another thread. */
class LongJobIT {

	private static final int FEATURES = 4;

	private static OnnxModel model() {
		return new OnnxModel(Diagnostics.probeModel(new float[FEATURES * 2], new float[] {0, 0}, FEATURES), 1);
	}

	@Test
	void progressArrivesFromANativeWorkerThread() {
		record Report(long done, long total, Thread thread) {}
		List<Report> reports = new CopyOnWriteArrayList<>();
		int rows = 20_000;
		try (var model = model()) {
			float[] out = model.runRows(new float[rows * FEATURES], FEATURES, 1,
					(done, total, message) -> reports.add(new Report(done, total, Thread.currentThread())), null);
			assertEquals(rows * 2, out.length);
		}
		assertFalse(reports.isEmpty());
		Report last = reports.get(reports.size() - 1);
		assertEquals(rows, last.done());
		assertEquals(rows, last.total());
		for (Report report : reports) {
			assertNotSame(Thread.currentThread(), report.thread());
			assertEquals("tessera-worker", report.thread().getName());
		}
		assertTrue(reports.size() < rows / 10, "progress must be rate-limited, got " + reports.size() + " reports");
	}

	@Test
	void aLongCallIsCancelledFromAnotherThread() throws Exception {
		int rows = 5_000_000;
		var started = new CountDownLatch(1);
		var lastDone = new java.util.concurrent.atomic.AtomicLong();
		try (var model = model(); var token = new CancellationToken()) {
			var executor = Executors.newSingleThreadExecutor();
			var canceller = executor.submit(() -> {
				started.await(60, TimeUnit.SECONDS);
				token.cancel();
				return null;
			});
			var e = assertThrows(CancelledException.class, () -> model.runRows(new float[rows * FEATURES], FEATURES, 1,
					(done, total, message) -> {
						lastDone.set(done);
						started.countDown();
					}, token));
			canceller.get(60, TimeUnit.SECONDS);
			executor.shutdown();
			assertEquals("cancelled", e.getMessage());
			assertTrue(token.isCancelled());
			assertTrue(lastDone.get() < rows, "cancelled before the end: " + lastDone.get());
		}
	}

	@Test
	void aListenerThatThrowsStopsTheJobAndItsExceptionReachesTheCaller() {
		int rows = 5_000_000;
		var calls = new java.util.concurrent.atomic.AtomicInteger();
		try (var model = model()) {
			var e = assertThrows(IllegalStateException.class, () -> model.runRows(new float[rows * FEATURES], FEATURES, 1,
					(done, total, message) -> {
						calls.incrementAndGet();
						throw new IllegalStateException("listener broke at " + done);
					}, null));
			assertTrue(e.getMessage().startsWith("listener broke at "), e.getMessage());
			assertEquals(1, calls.get(), "the job stopped at the first report that failed");
			// The model is still usable afterwards.
			assertEquals(2 * 10, model.runRows(new float[10 * FEATURES], FEATURES, 1, null, null).length);
		}
	}
}
