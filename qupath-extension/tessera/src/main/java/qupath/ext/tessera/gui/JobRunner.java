package qupath.ext.tessera.gui;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javafx.application.Platform;
import javafx.scene.control.Dialog;
import javafx.stage.Window;
import qupath.ext.tessera.bridge.CancellationToken;
import qupath.ext.tessera.bridge.CancelledException;
import qupath.ext.tessera.TesseraJob;
import qupath.ext.tessera.bridge.ProgressListener;
import qupath.ext.tessera.bridge.TooManyTilesException;

/**
 * Runs a menu command's job off the JavaFX thread with a progress window, then, on the JavaFX
 * thread, closes the progress window first and only then shows the outcome — the result, the
 * error or a note that it was cancelled — owned by the main window, so that it stays on screen.
 * A job refused for planning more tiles than are made without confirmation asks the user, and
 * runs again without the limit if they agree.
 */
final class JobRunner {

	private static final Logger logger = LoggerFactory.getLogger(JobRunner.class);

	/** A job's body, which may throw. */
	interface Work<T> {
		/**
		 * @return the job's result
		 * @throws Exception when the job fails
		 */
		T run() throws Exception;
	}

	/** Makes the dialog that shows a job's result. */
	interface Outcome<T> {
		/**
		 * @param result what the job returned
		 * @param owner the window the dialog must belong to
		 * @return the dialog to show, or null when nothing is to be shown
		 */
		Dialog<?> dialog(T result, Window owner);
	}

	private final Window owner;
	private final ExecutorService executor;
	private final BiConsumer<String, String> notifier;
	private final BiPredicate<String, String> confirmer;

	/**
	 * @param owner the main window: owns the progress windows and every dialog shown after a job
	 * @param executor runs the jobs (QuPath's single-thread executor for Tessera)
	 * @param notifier shows a short note (title, text), e.g. QuPath's info notification
	 * @param confirmer asks a yes-or-no question (title, text), e.g. QuPath's confirm dialog
	 */
	JobRunner(Window owner, ExecutorService executor, BiConsumer<String, String> notifier,
			BiPredicate<String, String> confirmer) {
		this.owner = owner;
		this.executor = executor;
		this.notifier = notifier;
		this.confirmer = confirmer;
	}

	/**
	 * Runs {@code work}, the body of {@code job}, as {@link #run(String, Consumer, Consumer, Work, Outcome)}
	 * does, wiring the job's progress and cancellation; when the job is refused for making too many
	 * tiles, asks whether to make them all and, if so, runs it again without the limit.
	 * @param <T> the job's result
	 * @param title what the job does
	 * @param job the job {@code work} runs
	 * @param work the job's body
	 * @param outcome the dialog of its result
	 * @return the job's future
	 */
	<T> Future<?> run(String title, TesseraJob<?> job, Work<T> work, Outcome<T> outcome) {
		return run(title, job::progress, job::cancel, work, outcome, () -> job.maxTiles(0));
	}

	/**
	 * Runs {@code work} with a progress window wired to the job's progress and cancellation.
	 * Call on the JavaFX thread.
	 * @param <T> the job's result
	 * @param title what the job does, e.g. {@code Training tumour.tessera}
	 * @param progress gives the job its progress listener
	 * @param cancel gives the job its cancellation token
	 * @param work the job
	 * @param outcome the dialog of its result
	 * @return the job's future (done once the outcome is scheduled for display)
	 */
	<T> Future<?> run(String title, Consumer<ProgressListener> progress, Consumer<CancellationToken> cancel, Work<T> work,
			Outcome<T> outcome) {
		return run(title, progress, cancel, work, outcome, null);
	}

	private <T> Future<?> run(String title, Consumer<ProgressListener> progress, Consumer<CancellationToken> cancel,
			Work<T> work, Outcome<T> outcome, Runnable liftTileLimit) {
		var token = new CancellationToken();
		var window = new ProgressWindow(token);
		progress.accept(window);
		cancel.accept(token);
		window.show(owner, "Tessera: " + title);
		return executor.submit(() -> {
			try {
				T result = work.run();
				finish(window, () -> show(outcome.dialog(result, owner)));
			} catch (CancelledException e) {
				finish(window, () -> notifier.accept("Tessera", title + ": cancelled, nothing was written"));
			} catch (TooManyTilesException e) {
				finish(window, () -> {
					if (liftTileLimit == null || !confirmer.test("Tessera: " + title,
							e.getMessage() + ".\n\nMake them all? This may take long and use much disk or memory."))
						return;
					liftTileLimit.run();
					run(title, progress, cancel, work, outcome, null);
				});
			} catch (Exception | LinkageError e) {
				logger.error("Tessera: {} failed", title, e);
				finish(window, () -> show(Messages.error(owner, "Tessera: " + title + " failed", e)));
			} finally {
				token.close();
			}
		});
	}

	/** On the JavaFX thread: closes the progress window, then shows what follows it. */
	private static void finish(ProgressWindow window, Runnable then) {
		Platform.runLater(() -> {
			window.closeNow();
			then.run();
		});
	}

	private static void show(Dialog<?> dialog) {
		if (dialog != null)
			dialog.show();
	}
}
