package tessera.guidriver;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.GridPane;
import javafx.scene.text.Text;
import javafx.stage.PopupWindow;
import javafx.stage.Stage;
import javafx.stage.Window;
import qupath.lib.gui.QuPathGUI;
import qupath.lib.images.ImageData;
import qupath.lib.images.servers.ImageServerMetadata;
import qupath.lib.images.servers.ImageServerProvider;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.PathObjects;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.projects.Project;
import qupath.lib.projects.ProjectIO;
import qupath.lib.projects.Projects;
import qupath.lib.regions.ImagePlane;
import qupath.lib.roi.ROIs;

/**
 * Drives Tessera's seven menu commands in a running QuPath GUI, as a user would: fires the menu
 * item, fills the form, presses OK, waits for the progress window to open and close, then checks
 * that the results (or error) dialog / notification is still on screen 2 s after the progress
 * window closed. Every window shown or hidden is logged with its time, owner and text
 * ({@code timeline.txt}); screenshots of the X display are kept for each state.
 */
final class Driver {

	/** How long a result must stay on screen after the progress window closed. */
	private static final long SETTLE_MS = 2000;

	private final QuPathGUI qupath;
	private final Path out;
	private final Path shots;
	private final long t0 = System.nanoTime();
	private final Map<Window, Integer> ids = Collections.synchronizedMap(new IdentityHashMap<>());
	private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
	private final List<String> timeline = Collections.synchronizedList(new ArrayList<>());
	private final List<Caught> caught = Collections.synchronizedList(new ArrayList<>());
	private final List<String> report = new ArrayList<>();
	private final List<String> details = new ArrayList<>();
	private int shotCount;
	private int failures;
	private Path projectFile;

	/** A window shown or hidden. */
	private record Event(long ms, boolean shown, int id, Window window, String kind, String description) {}

	/** An uncaught exception. */
	private record Caught(long ms, String thread, Throwable error) {}

	Driver(QuPathGUI qupath, Path out) {
		this.qupath = qupath;
		this.out = out;
		this.shots = out.resolve("screenshots");
	}

	// ---------------------------------------------------------------- main flow

	void runAndExit() {
		int code;
		try {
			code = run();
		} catch (Throwable e) {
			fail("DRIVER", "the driver itself failed: " + stackTrace(e));
			code = 3;
		}
		try {
			writeFiles();
		} catch (IOException e) {
			e.printStackTrace();
		}
		System.out.println("=== Tessera GUI driver report ===");
		report.forEach(System.out::println);
		System.out.flush();
		int exit = code;
		var halt = new Thread(() -> {
			sleep(20_000);
			Runtime.getRuntime().halt(exit);
		}, "tessera-gui-driver-halt");
		halt.setDaemon(true);
		halt.start();
		System.exit(exit);
	}

	private int run() throws Exception {
		Files.createDirectories(shots);
		note("Tessera jar: " + System.getProperty("tessera.gui.jar", "?"));
		note("QuPath " + QuPathGUI.getVersion() + ", Java " + System.getProperty("java.version") + ", JavaFX "
				+ System.getProperty("javafx.runtime.version"));
		trackWindows();
		if (!waitUntil(90_000, () -> fxOr(() -> tesseraItems().size() >= 7, false))) {
			fail("Extensions>Tessera", "menu has only " + fxOr(() -> tesseraItems().size(), -1)
					+ " commands after 90 s (Tessera not loaded?)");
			screenshot("no-tessera-menu");
			return 1;
		}
		note("Extensions>Tessera: " + fx(() -> tesseraItems().stream().map(MenuItem::getText).toList()));
		createProject();
		openProject();
		screenshot("image-open");
		closeStrayWindows();

		checkInstallation();
		exportTiles();
		train();
		manageModels();
		evaluate();
		apply();
		findTilesToReview();
		reviewTiles();
		trainFromParent();
		runForProject();
		cancelTraining();
		deleteModel();
		trainPixelClassifier();
		applyPixelClassifier();
		return failures == 0 ? 0 : 1;
	}

	// ---------------------------------------------------------------- the commands

	private void checkInstallation() {
		String command = "Check installation";
		long start = ms();
		if (!fire(command))
			return;
		// No progress window here: the report is computed on a background thread and shown in a dialog.
		Window dialog = waitForNewWindow(start, 180_000, w -> kind(w).endsWith("dialog"));
		if (dialog == null) {
			screenshot(slug(command) + "-nothing");
			fail(command, "no dialog within 180 s" + exceptionsSince(start));
			closeStrayWindows();
			return;
		}
		sleep(SETTLE_MS);
		judgeStillShowing(command, start, dialog, "Tessera", null);
		closeStrayWindows();
	}

	private void exportTiles() {
		String command = "Export training tiles";
		Path[] folder = new Path[1];
		var outcome = runJob(command, form -> {
			setNumber(form, "Tile size", 32);
			setResolution(form);
			folder[0] = Path.of(text(form, "Folder"));
			return "folder " + folder[0];
		}, "tiles written");
		if (outcome != null && folder[0] != null) {
			long pngs = countFiles(folder[0], ".png");
			details.add(command + ": " + pngs + " PNG files under " + folder[0]);
			if (outcome && pngs == 0)
				fail(command, "the notification says tiles were written but " + folder[0] + " holds no PNG");
		}
		closeStrayWindows();
	}

	private void train() {
		String command = "Train tile classifier";
		runJob(command, form -> {
			fillTraining(form, "driver-model", "Tile size", 2);
			return "model " + Path.of(text(form, "Save into")).resolve("driver-model.tessera") + "; classes "
					+ texts(control(form, "Classes")) + "; images " + texts(control(form, "Images"));
		}, "macro-F1");
		closeStrayWindows();
	}

	private void manageModels() {
		String command = "Manage models";
		long start = ms();
		if (!fire(command))
			return;
		Window models = waitForNewWindow(start, 30_000, w -> kind(w).endsWith("dialog"));
		if (models == null) {
			screenshot(slug(command) + "-nothing");
			fail(command, "no dialog within 30 s" + exceptionsSince(start));
			closeStrayWindows();
			return;
		}
		sleep(500);
		int rows = fxOr(() -> find(root(models), TableView.class).map(t -> t.getItems().size()).findFirst().orElse(-1), -1);
		String listing = fxOr(() -> windowText(models), "");
		screenshot(slug(command) + "-list");
		if (rows < 1) {
			fail(command, "the models table has " + rows + " rows (expected the trained model): " + listing);
			closeStrayWindows();
			return;
		}
		fxOr(() -> {
			find(root(models), TableView.class).findFirst().orElseThrow().getSelectionModel().select(0);
			return null;
		}, null);
		long pressed = ms();
		String why = press(models, "Show results", null);
		if (why != null) {
			fail(command, "'Show results…': " + why);
			closeStrayWindows();
			return;
		}
		Window results = waitForNewWindow(pressed, 30_000, w -> kind(w).endsWith("dialog") && w != models);
		if (results == null) {
			screenshot(slug(command) + "-no-results");
			fail(command, rows + " model(s) listed, but 'Show results…' opened nothing" + exceptionsSince(pressed));
			closeStrayWindows();
			return;
		}
		sleep(SETTLE_MS);
		judgeStillShowing(command, pressed, results, "macro-F1", rows + " model(s) listed (" + clip(listing, 300) + "); ");
		if (fxOr(models::isShowing, false)) {
			String closing = press(models, "OK", models);
			if (closing != null)
				fail(command + " (closing the models list)", closing);
		}
		closeStrayWindows();
	}

	private void evaluate() {
		String command = "Evaluate model";
		runJob(command, form -> {
			String model = ensureModel(form);
			setText(form, "Report folder", out.resolve("evaluation-report").toString());
			return "model " + model + "; report folder " + out.resolve("evaluation-report");
		}, "macro-F1");
		closeStrayWindows();
	}

	private void apply() {
		String command = "Apply model";
		int before = fxOr(() -> qupath.getImageData().getHierarchy().getDetectionObjects().size(), -1);
		var outcome = runJob(command, form -> {
			// Not the default: the choice must reach the job and its workflow step.
			@SuppressWarnings("unchecked")
			var precision = (ComboBox<String>) control(form, "Precision");
			precision.setValue("fp32");
			return "model " + ensureModel(form) + "; precision fp32 (of " + precision.getItems() + ")";
		}, "objects added");
		int after = fxOr(() -> qupath.getImageData().getHierarchy().getDetectionObjects().size(), -1);
		details.add(command + ": detections in the open image " + before + " -> " + after);
		if (Boolean.TRUE.equals(outcome) && after <= before)
			fail(command, "the notification says objects were added but the image's detections went " + before + " -> " + after);
		String step = lastStep(command);
		if (Boolean.TRUE.equals(outcome) && !step.contains(".precision('fp32')"))
			fail(command, "the precision chosen in the form is not in the workflow step: " + step);
		closeStrayWindows();
	}

	/** The open image's review objects (unclassified or not), by their names. */
	private List<PathObject> reviewObjects() {
		return fxOr(() -> qupath.getImageData().getHierarchy().getAnnotationObjects().stream()
				.filter(a -> a.getName() != null && a.getName().startsWith("Tessera review ")).toList(), List.of());
	}

	private void findTilesToReview() {
		String command = "Find tiles to review";
		var outcome = runJob(command, form -> {
			setNumber(form, "Tiles to review", 8);
			return "8 tiles ranked by " + ((ComboBox<?>) control(form, "Ranked by")).getValue();
		}, "A accept the prediction");
		var reviews = reviewObjects();
		details.add(command + ": review objects in the open image " + reviews.stream().map(PathObject::getName).toList());
		if (Boolean.TRUE.equals(outcome) && (reviews.size() != 8 || reviews.stream().anyMatch(r -> r.getPathClass() != null)))
			fail(command, "expected 8 unclassified review objects in the open image, found "
					+ reviews.stream().map(r -> r.getName() + " " + r.getPathClass()).toList());
		closeStrayWindows();
	}

	/**
	 * Opens the review table, checks that the viewer shows the selected row's object, presses the
	 * accept key (a real key press when {@link #MOUSE}) and checks that only that object took the
	 * predicted class and that the next row is selected.
	 */
	private void reviewTiles() {
		String command = "Review tiles";
		long start = ms();
		if (!fire(command))
			return;
		Window window = waitForNewWindow(start, 30_000, w -> kind(w).endsWith("dialog"));
		if (window == null) {
			screenshot(slug(command) + "-nothing");
			fail(command, "no review table within 30 s" + exceptionsSince(start));
			closeStrayWindows();
			return;
		}
		sleep(SETTLE_MS);
		@SuppressWarnings("unchecked")
		TableView<PathObject> table = fxOr(() -> find(root(window), TableView.class).findFirst().orElse(null), null);
		if (table == null) {
			fail(command, "the window holds no table: " + fxOr(() -> windowText(window), ""));
			closeStrayWindows();
			return;
		}
		PathObject first = fxOr(() -> table.getSelectionModel().getSelectedItem(), null);
		int rows = fxOr(() -> table.getItems().size(), -1);
		String centred = fxOr(() -> {
			var viewer = qupath.getViewer();
			var roi = first.getROI();
			return Math.abs(viewer.getCenterPixelX() - roi.getCentroidX()) < 1 && Math.abs(viewer.getCenterPixelY() - roi.getCentroidY()) < 1
					&& qupath.getImageData().getHierarchy().getSelectionModel().getSelectedObject() == first ? null
							: "viewer centre " + viewer.getCenterPixelX() + "," + viewer.getCenterPixelY() + ", selected "
									+ qupath.getImageData().getHierarchy().getSelectionModel().getSelectedObject();
		}, "no selected row");
		screenshot(slug(command) + "-table");
		var others = reviewObjects().stream().filter(r -> r != first).map(r -> r.getName() + "=" + r.getPathClass()).toList();
		String why = pressKey(table, "a", javafx.scene.input.KeyCode.A, () -> first.getPathClass() != null);
		if (why != null)
			fail(command + " (accept key by keyboard)", why);
		sleep(1000);
		screenshot(slug(command) + "-accepted");
		String predicted = first == null ? "?" : first.getName().replaceFirst("^Tessera review \\d+: ", "").replaceFirst("\\?$", "");
		PathObject next = fxOr(() -> table.getSelectionModel().getSelectedItem(), null);
		var othersAfter = reviewObjects().stream().filter(r -> r != first).map(r -> r.getName() + "=" + r.getPathClass()).toList();
		String summary = rows + " rows; first row " + (first == null ? "none" : first.getName()) + " now "
				+ (first == null ? "?" : first.getPathClass()) + "; selected after the key: " + (next == null ? "none" : next.getName())
				+ (centred == null ? "; the viewer centred on and selected the row's object" : "; viewer: " + centred) + exceptionsSince(start);
		if (first != null && first.getPathClass() != null && predicted.equals(first.getPathClass().toString()) && next != first
				&& centred == null && others.equals(othersAfter) && rows == reviewObjects().size())
			pass(command, summary);
		else
			fail(command, summary + (others.equals(othersAfter) ? "" : "; other review objects changed: " + others + " -> " + othersAfter));
		String closing = press(window, "OK", window);
		if (closing != null)
			fail(command + " (closing the table)", closing);
		closeStrayWindows();
	}

	/**
	 * Types {@code key} into {@code target}'s window as a user would (xdotool, after focusing the
	 * target) and waits up to 3 s for {@code done}; without a real keyboard, or when that did not
	 * work, fires the key event at the target directly.
	 * @return null when the real key press worked, else what went wrong
	 */
	private String pressKey(Node target, String key, javafx.scene.input.KeyCode code, BooleanSupplier done) {
		String why = null;
		if (MOUSE) {
			fxOr(() -> {
				target.getScene().getWindow().requestFocus();
				target.requestFocus();
				return null;
			}, null);
			sleep(300);
			try {
				var process = new ProcessBuilder("xdotool", "key", "--clearmodifiers", key).redirectErrorStream(true).start();
				String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
				if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0)
					why = "xdotool failed: " + output;
				else if (!waitUntil(3000, () -> fxOr(done::getAsBoolean, false)))
					why = "a real '" + key + "' key press changed nothing within 3 s";
				else {
					details.add(String.format(Locale.ROOT, "%8d ms  key '%s' typed into %s", ms(), key, describe(target.getScene().getWindow())));
					return null;
				}
			} catch (IOException | InterruptedException e) {
				why = "xdotool failed: " + e;
			}
		}
		fxOr(() -> {
			target.fireEvent(new javafx.scene.input.KeyEvent(javafx.scene.input.KeyEvent.KEY_PRESSED, key, key, code, false, false, false, false));
			return null;
		}, null);
		return why;
	}

	private void trainFromParent() {
		String command = "Train tile classifier (from a parent model)";
		Path parent = projectFile.getParent().resolve("tessera").resolve("models").resolve("driver-model.tessera");
		Path child = parent.resolveSibling("driver-model-reviewed.tessera");
		var outcome = runJob(command, "Train tile classifier", form -> {
			fillTraining(form, "driver-model-reviewed", "Tile size", 1);
			@SuppressWarnings("unchecked")
			var from = (ComboBox<String>) control(form, "Start from model");
			from.getEditor().setText(parent.toString());
			return "model " + child + " from " + parent + " (offered " + from.getItems() + ")";
		}, "macro-F1", null);
		if (Boolean.TRUE.equals(outcome)) {
			String lineage;
			try (var zip = new java.util.zip.ZipFile(child.toFile())) {
				String json = new String(zip.getInputStream(zip.getEntry("tessera.json")).readAllBytes(), StandardCharsets.UTF_8);
				int at = json.indexOf("\"lineage\"");
				lineage = at < 0 ? "" : clip(json.substring(at), 300);
			} catch (IOException e) {
				lineage = "unreadable: " + e;
			}
			details.add(command + ": " + lineage);
			if (!lineage.contains("\"parent\""))
				fail(command, "the fine-tuned package records no lineage: " + lineage);
			String step = lastStep(command);
			if (!step.contains(".from('" + parent + "')"))
				fail(command, "the parent chosen in the form is not in the workflow step: " + step);
		}
		closeStrayWindows();
	}

	private void runForProject() {
		String command = "Run for project";
		runJob(command, form -> "model " + ensureModel(form) + "; images " + texts(control(form, "Images")), "objects");
		closeStrayWindows();
	}

	/** Train again with many epochs and press Cancel (by mouse) in the progress window: a "cancelled" message, no model file. */
	private void cancelTraining() {
		String command = "Train tile classifier (Cancel)";
		Path[] model = new Path[1];
		var outcome = runJob(command, "Train tile classifier", form -> {
			fillTraining(form, "driver-cancelled", "Tile size", 500);
			model[0] = Path.of(text(form, "Save into")).resolve("driver-cancelled.tessera");
			return "model " + model[0] + ", 500 epochs, 2 folds, then Cancel in the progress window";
		}, "cancel", progress -> {
			String why = press(progress, "Cancel", null);
			if (why != null)
				fail(command + " (Cancel by mouse)", why);
		});
		if (outcome != null && model[0] != null && Files.exists(model[0]))
			fail(command, "cancelled, yet " + model[0] + " was written");
		closeStrayWindows();
	}

	/** Manage models > Delete… on the trained model, confirmed: the list empties and the file goes. */
	private void deleteModel() {
		String command = "Manage models (Delete)";
		long start = ms();
		if (!fire(command, "Manage models"))
			return;
		Window models = waitForNewWindow(start, 30_000, w -> kind(w).endsWith("dialog"));
		if (models == null) {
			fail(command, "no dialog within 30 s" + exceptionsSince(start));
			closeStrayWindows();
			return;
		}
		sleep(500);
		Path file = projectFile.getParent().resolve("tessera").resolve("models").resolve("driver-model.tessera");
		int before = fxOr(() -> find(root(models), TableView.class).map(t -> t.getItems().size()).findFirst().orElse(-1), -1);
		fxOr(() -> {
			find(root(models), TableView.class).findFirst().orElseThrow().getSelectionModel().select(0);
			return null;
		}, null);
		long pressed = ms();
		String why = press(models, "Delete", null);
		if (why != null) {
			fail(command, "'Delete…': " + why);
			closeStrayWindows();
			return;
		}
		Window confirm = waitForNewWindow(pressed, 20_000, w -> kind(w).endsWith("dialog") && w != models);
		if (confirm == null) {
			screenshot(slug(command) + "-no-confirmation");
			fail(command, "'Delete…' asked nothing within 20 s" + exceptionsSince(pressed));
			closeStrayWindows();
			return;
		}
		sleep(300);
		String question = fxOr(() -> windowText(confirm), "");
		screenshot(slug(command) + "-confirmation");
		why = press(confirm, "OK", confirm);
		if (why != null)
			fail(command + " (confirmation OK by mouse)", why);
		sleep(1000);
		int after = fxOr(() -> find(root(models), TableView.class).map(t -> t.getItems().size()).findFirst().orElse(-1), -1);
		screenshot(slug(command) + "-after");
		String summary = "asked " + describe(confirm) + ": '" + clip(question, 200) + "'; rows " + before + " -> " + after + "; "
				+ file.getFileName() + (Files.exists(file) ? " still exists" : " deleted") + exceptionsSince(start);
		if (after == before - 1 && !Files.exists(file) && fxOr(models::isShowing, false))
			pass(command, summary);
		else
			fail(command, summary + (fxOr(models::isShowing, false) ? "" : "; the models list closed"));
		if (fxOr(models::isShowing, false)) {
			String closing = press(models, "OK", models);
			if (closing != null)
				fail(command + " (closing the models list)", closing);
		}
		closeStrayWindows();
	}

	/**
	 * *Train pixel classifier…* over the project's two images (a small U-Net): the results view
	 * must show IoU, and the run must be recorded as a step that replays it.
	 */
	private void trainPixelClassifier() {
		String command = "Train pixel classifier";
		var outcome = runJob(command, form -> {
			fillTraining(form, "driver-pixels", "Patch size", 2);
			@SuppressWarnings("unchecked")
			var loss = (ComboBox<String>) control(form, "Loss");
			return "model " + Path.of(text(form, "Save into")).resolve("driver-pixels.tessera") + "; loss " + loss.getValue()
					+ "; overlap " + ((Spinner<?>) control(form, "Patch overlap")).getValue() + "; classes "
					+ texts(control(form, "Classes")) + "; images " + texts(control(form, "Images"));
		}, "mean IoU");
		String step = lastStep(command);
		if (Boolean.TRUE.equals(outcome) && !step.startsWith("qupath.ext.tessera.Tessera.segmentation()"))
			fail(command, "the workflow step does not replay the pixel classifier's training: " + step);
		closeStrayWindows();
	}

	/** *Apply model…* with the pixel classifier and a heatmaps folder: region annotations, and PNG heatmaps on disk. */
	private void applyPixelClassifier() {
		String command = "Apply model (pixel classifier, heatmaps)";
		Path model = projectFile.getParent().resolve("tessera").resolve("models").resolve("driver-pixels.tessera");
		Path maps = out.resolve("heatmaps");
		// Inside every annotation of the image, not a selection left by the review steps.
		fxOr(() -> {
			qupath.getImageData().getHierarchy().getSelectionModel().clearSelection();
			return null;
		}, null);
		var outcome = runJob(command, "Apply model", form -> {
			@SuppressWarnings("unchecked")
			var combo = (ComboBox<String>) control(form, "Model");
			combo.getEditor().setText(model.toString());
			combo.setValue(model.toString());
			setText(form, "Heatmaps folder", maps.toString());
			return "model " + model + "; heatmaps " + maps;
		}, "objects added", null);
		long pngs = countFiles(maps, ".png");
		details.add(command + ": " + pngs + " PNG heatmaps under " + maps);
		if (Boolean.TRUE.equals(outcome) && pngs == 0)
			fail(command, "applied, but " + maps + " holds no PNG heatmap");
		closeStrayWindows();
	}

	// ---------------------------------------------------------------- a job command

	/** Fills a command's form and says what it chose. */
	private interface Filler {
		String fill(Window form) throws Exception;
	}

	/**
	 * Fires {@code command}, fills its form, presses OK, waits for the progress window to open and
	 * close, and checks what is on screen {@link #SETTLE_MS} later.
	 * @return true when it passed, false when it failed after the form, null when no form opened
	 */
	private Boolean runJob(String command, Filler filler, String expected) {
		return runJob(command, command, filler, expected, null);
	}

	private Boolean runJob(String command, String menuItem, Filler filler, String expected,
			java.util.function.Consumer<Window> onProgress) {
		long start = ms();
		if (!fire(command, menuItem))
			return null;
		Window form = waitForNewWindow(start, 20_000, w -> kind(w).equals("dialog"));
		if (form == null) {
			sleep(500);
			screenshot(slug(command) + "-no-form");
			fail(command, "its form never opened (20 s)" + exceptionsSince(start) + windowsSince(start, Set.of()));
			closeStrayWindows();
			return null;
		}
		String chosen;
		try {
			chosen = fx(() -> filler.fill(form));
		} catch (Exception e) {
			screenshot(slug(command) + "-form");
			fail(command, "could not fill its form: " + e + " — form text: " + fxOr(() -> windowText(form), ""));
			closeStrayWindows();
			return false;
		}
		sleep(300);
		screenshot(slug(command) + "-form");
		long ok = ms();
		String okProblem = press(form, "OK", form);
		if (okProblem != null && fxOr(form::isShowing, true)) {
			fail(command, "its form's OK did not work: " + okProblem);
			closeStrayWindows();
			return false;
		} else if (okProblem != null)
			fail(command + " (form OK by mouse)", okProblem);
		// Wait for the progress window to open, then to close (pressing OK on any confirmation on the way).
		Window progress = null;
		long progressShown = -1;
		long progressHidden = -1;
		boolean progressShot = false;
		Set<Window> confirmed = Collections.newSetFromMap(new IdentityHashMap<>());
		long deadline = ok + 8 * 60_000;
		while (ms() < deadline) {
			if (progress == null) {
				var shown = firstShown(ok, w -> kind(w).equals("progress"));
				if (shown != null) {
					progress = shown.window();
					progressShown = shown.ms();
				} else if (ms() - ok > 20_000)
					break;
			}
			if (progress != null) {
				var hidden = hiddenEvent(progress, progressShown);
				if (hidden != null) {
					progressHidden = hidden.ms();
					break;
				}
				if (!progressShot && ms() - progressShown > 300) {
					progressShot = true;
					screenshot(slug(command) + "-progress");
					if (onProgress != null && fxOr(progress::isShowing, false))
						onProgress.accept(progress);
				}
			} else {
				// A confirmation before the job starts (e.g. "…unsaved changes… Continue?")
				for (var w : showingSince(ok)) {
					if (!confirmed.contains(w) && kind(w).equals("dialog") && fxOr(() -> windowText(w), "").contains("Continue?")) {
						confirmed.add(w);
						details.add(command + ": confirmed '" + clip(fxOr(() -> windowText(w), ""), 200) + "'");
						chosen += "; first asked: '" + clip(fxOr(() -> windowText(w), ""), 160) + "' (pressed OK)";
						String why = press(w, "OK", w);
						if (why != null)
							fail(command + " (confirmation OK by mouse)", why);
					}
				}
			}
			sleep(100);
		}
		if (progress == null) {
			sleep(1000);
			screenshot(slug(command) + "-no-progress");
			fail(command, "no progress window within 20 s of OK (form: " + chosen + ")" + exceptionsSince(start)
					+ windowsSince(ok, Set.of()));
			closeStrayWindows();
			return false;
		}
		if (progressHidden < 0) {
			screenshot(slug(command) + "-stuck");
			fail(command, "progress window still open 8 min after OK: " + fxOr(() -> windowText(progressWindow(ok)), ""));
			closeStrayWindows();
			return false;
		}
		long wait = progressHidden + SETTLE_MS - ms();
		if (wait > 0)
			sleep(wait);
		screenshot(slug(command) + "-result");
		return judgeAfterProgress(command, ok, progress, progressShown, progressHidden, expected, chosen);
	}

	private Window progressWindow(long since) {
		var e = firstShown(since, w -> kind(w).equals("progress"));
		return e == null ? null : e.window();
	}

	/**
	 * What appeared after OK (other than the progress window): which is still showing now
	 * ({@link #SETTLE_MS} after the progress window closed) and which vanished, and when.
	 */
	private boolean judgeAfterProgress(String command, long ok, Window progress, long progressShown, long progressHidden,
			String expected, String chosen) {
		var appeared = new ArrayList<Window>();
		for (var e : eventsSince(progressShown))
			if (e.shown() && e.window() != progress && !appeared.contains(e.window()) && relevant(e.kind()))
				appeared.add(e.window());
		var showing = new ArrayList<Window>();
		var vanished = new ArrayList<String>();
		for (var w : appeared) {
			String shot = saveSceneShot(command, w);
			if (fxOr(w::isShowing, false))
				showing.add(w);
			else {
				var shown = firstEventOf(w, true, ok);
				var hidden = hiddenEvent(w, shown == null ? ok : shown.ms());
				vanished.add(describe(w) + " shown at " + rel(shown, progressHidden) + ", hidden at " + rel(hidden, progressHidden)
						+ " relative to the progress window closing" + (shot == null ? "" : " (its content: " + shot + ")")
						+ "; text: " + clip(lastText(w), 300));
			}
		}
		String job = "progress window '" + fxOr(() -> ((Stage) progress).getTitle(), "?") + "' open "
				+ (progressHidden - progressShown) + " ms";
		var errors = showing.stream().filter(w -> shownKinds.getOrDefault(w, "").startsWith("error")).toList();
		var results = showing.stream().filter(w -> !shownKinds.getOrDefault(w, "").startsWith("error")).toList();
		if (!errors.isEmpty()) {
			fail(command, "ERROR dialog on screen 2 s after the progress window closed (it stayed): "
					+ errors.stream().map(w -> describe(w) + ": " + clip(fxOr(() -> windowText(w), ""), 600)).collect(Collectors.joining("; "))
					+ " [" + job + "; form: " + chosen + "]" + exceptionsSince(ok));
			return false;
		}
		var matching = results.stream().filter(w -> fxOr(() -> windowText(w), "").toLowerCase(Locale.ROOT)
				.contains(expected.toLowerCase(Locale.ROOT))).toList();
		if (!matching.isEmpty()) {
			var w = matching.get(0);
			pass(command, describe(w) + " on screen 2 s after the progress window closed: " + clip(fxOr(() -> windowText(w), ""), 500)
					+ " [" + job + "; form: " + chosen + "]"
					+ (vanished.isEmpty() ? "" : "; also vanished: " + String.join("; ", vanished)));
			closeResult(command, w);
			return true;
		}
		if (!vanished.isEmpty()) {
			fail(command, "the result VANISHED: " + String.join("; ", vanished)
					+ (results.isEmpty() ? "; nothing on screen 2 s after the progress window closed"
							: "; still showing: " + results.stream().map(this::describe).toList())
					+ " [" + job + "; form: " + chosen + "]" + exceptionsSince(ok));
			return false;
		}
		fail(command, "nothing containing '" + expected + "' on screen 2 s after the progress window closed"
				+ (results.isEmpty() ? "" : "; showing: " + results.stream().map(w -> describe(w) + ": " + clip(fxOr(() -> windowText(w), ""), 300)).toList())
				+ " [" + job + "; form: " + chosen + "]" + exceptionsSince(ok));
		return false;
	}

	/** For commands without a progress window: is {@code dialog} still showing now, and is it no error? */
	private void judgeStillShowing(String command, long start, Window dialog, String expected, String prefix) {
		screenshot(slug(command) + "-result");
		saveSceneShot(command, dialog);
		String text = fxOr(() -> windowText(dialog), "");
		String p = prefix == null ? "" : prefix;
		if (!fxOr(dialog::isShowing, false)) {
			var shown = firstEventOf(dialog, true, start);
			var hidden = hiddenEvent(dialog, shown == null ? start : shown.ms());
			fail(command, p + describe(dialog) + " VANISHED: shown at " + (shown == null ? "?" : shown.ms() - start)
					+ " ms, hidden at " + (hidden == null ? "?" : hidden.ms() - start) + " ms after the command; text: "
					+ clip(lastText(dialog), 400) + exceptionsSince(start));
		} else if (shownKinds.getOrDefault(dialog, "").startsWith("error"))
			fail(command, p + "ERROR dialog on screen: " + describe(dialog) + ": " + clip(text, 600) + exceptionsSince(start));
		else if (!text.contains(expected))
			fail(command, p + describe(dialog) + " on screen but without '" + expected + "': " + clip(text, 600));
		else {
			pass(command, p + describe(dialog) + " on screen 2 s after it opened: " + clip(text, 600));
			closeResult(command, dialog);
		}
	}

	// ---------------------------------------------------------------- project

	private void createProject() throws Exception {
		Path dir = out.resolve("project");
		Path images = out.resolve("images");
		if (Files.exists(dir))
			throw new IllegalStateException(dir + " exists already: OUT_DIR must start empty (another run using it?)");
		Files.createDirectories(dir);
		Files.createDirectories(images);
		Project<BufferedImage> project = Projects.createProject(dir.toFile(), BufferedImage.class);
		// Class colours that stand out over the image (yellow outlines on red, green on blue).
		var red = PathClass.fromString("Red", 0xFFE000);
		var blue = PathClass.fromString("Blue", 0x00E040);
		for (int i = 0; i < 2; i++) {
			String name = "slide-" + (char) ('A' + i) + ".tif";
			Path tif = images.resolve(name);
			writeTiff(tif, 512, 512, 7 + i);
			var support = ImageServerProvider.getPreferredUriImageSupport(BufferedImage.class, tif.toUri().toString());
			var builder = support.getBuilders().get(0);
			var entry = project.addImage(builder);
			entry.setImageName(name);
			ImageData<BufferedImage> imageData = entry.readImageData();
			imageData.setImageType(ImageData.ImageType.BRIGHTFIELD_OTHER);
			var cal = imageData.getServer().getPixelCalibration();
			String calibration;
			if (cal.hasPixelSizeMicrons())
				calibration = "pixel size from the TIFF: " + cal.getAveragedPixelSizeMicrons() + " µm";
			else {
				imageData.updateServerMetadata(new ImageServerMetadata.Builder(imageData.getServer().getMetadata())
						.pixelSizeMicrons(0.5, 0.5).build());
				calibration = "pixel size set in the image data: 0.5 µm";
			}
			var plane = ImagePlane.getDefaultPlane();
			List<PathObject> annotations = new ArrayList<>();
			int o = 12 * i;
			int[][] redBoxes = {{16 + o, 16, 96, 96}, {24, 160 + o, 112, 112}, {16 + o, 330, 128, 96}, {150, 40 + o, 64, 160}};
			int[][] blueBoxes = {{300 + o, 16, 96, 96}, {370, 160 + o, 112, 112}, {280, 330 + o, 128, 96}, {420 - o, 20, 64, 120}};
			for (var b : redBoxes)
				annotations.add(PathObjects.createAnnotationObject(ROIs.createRectangleROI(b[0], b[1], b[2], b[3], plane), red));
			for (var b : blueBoxes)
				annotations.add(PathObjects.createAnnotationObject(ROIs.createRectangleROI(b[0], b[1], b[2], b[3], plane), blue));
			imageData.getHierarchy().addObjects(annotations);
			entry.saveImageData(imageData);
			note("image " + name + " (" + builder.getClass().getSimpleName() + ", " + imageData.getServer().getClass().getSimpleName()
					+ "): " + imageData.getServer().getWidth() + "x" + imageData.getServer().getHeight() + ", " + calibration
					+ ", 4 Red + 4 Blue rectangle annotations");
		}
		project.syncChanges();
		projectFile = project.getPath().toAbsolutePath();
		note("project " + projectFile);
	}

	/** An RGB TIFF, left half red-ish and right half blue-ish with noise, 0.5 µm pixels (ImageJ calibration). */
	private static void writeTiff(Path file, int width, int height, long seed) {
		var random = new Random(seed);
		int[] pixels = new int[width * height];
		for (int y = 0; y < height; y++)
			for (int x = 0; x < width; x++) {
				boolean left = x < width / 2;
				int r = clamp((left ? 210 : 90) + (int) (random.nextGaussian() * 20));
				int g = clamp(90 + (int) (random.nextGaussian() * 20));
				int b = clamp((left ? 90 : 210) + (int) (random.nextGaussian() * 20));
				pixels[y * width + x] = (r << 16) | (g << 8) | b;
			}
		var processor = new ij.process.ColorProcessor(width, height, pixels);
		var imp = new ij.ImagePlus(file.getFileName().toString(), processor);
		var cal = imp.getCalibration();
		cal.pixelWidth = 0.5;
		cal.pixelHeight = 0.5;
		cal.setUnit("micron");
		if (!new ij.io.FileSaver(imp).saveAsTiff(file.toString()))
			throw new IllegalStateException("ImageJ could not write " + file);
	}

	private static int clamp(int v) {
		return Math.max(0, Math.min(255, v));
	}

	private void openProject() throws Exception {
		fx(() -> {
			Project<BufferedImage> project = ProjectIO.loadProject(projectFile.toFile(), BufferedImage.class);
			qupath.setProject(project);
			qupath.openImageEntry(project.getImageList().get(0));
			return null;
		});
		if (!waitUntil(60_000, () -> fxOr(() -> qupath.getImageData() != null, false)))
			throw new IllegalStateException("the first image did not open within 60 s");
		sleep(1500);
		note("opened " + fx(() -> qupath.getProject().getEntry(qupath.getImageData()).getImageName()) + " with "
				+ fx(() -> qupath.getImageData().getHierarchy().getAnnotationObjects().size()) + " annotations");
	}

	// ---------------------------------------------------------------- menu, forms, buttons

	private List<MenuItem> tesseraItems() {
		Menu menu = qupath.getMenu("Extensions>Tessera", false);
		return menu == null ? List.of() : List.copyOf(menu.getItems());
	}

	/** Fires the Tessera menu item whose text starts with {@code command} (the handler runs later on the FX thread). */
	private boolean fire(String command) {
		return fire(command, command);
	}

	private boolean fire(String command, String menuItem) {
		MenuItem item = fxOr(() -> tesseraItems().stream().filter(i -> i.getText() != null && i.getText().startsWith(menuItem))
				.findFirst().orElse(null), null);
		if (item == null) {
			fail(command, "no menu item Extensions>Tessera>" + menuItem + "…");
			return false;
		}
		details.add(String.format(Locale.ROOT, "%8d ms  fire Extensions>Tessera>%s", ms(), fxOr(item::getText, command)));
		Platform.runLater(item::fire);
		return true;
	}

	/** @return the control in the form row whose label starts with {@code label} */
	private static Node control(Window form, String label) {
		for (var l : find(root(form), Label.class).toList()) {
			if (l.getText() != null && l.getText().startsWith(label) && l.getParent() instanceof GridPane grid) {
				Integer row = GridPane.getRowIndex(l);
				for (var child : grid.getChildren())
					if (child != l && java.util.Objects.equals(GridPane.getRowIndex(child), row))
						return child;
			}
		}
		throw new IllegalStateException("no form row '" + label + "' in " + windowText(form));
	}

	@SuppressWarnings({"unchecked", "rawtypes"})
	private static void setNumber(Window form, String label, double value) {
		var spinner = (Spinner) control(form, label);
		SpinnerValueFactory factory = spinner.getValueFactory();
		if (factory instanceof SpinnerValueFactory.IntegerSpinnerValueFactory)
			factory.setValue((int) value);
		else
			factory.setValue(value);
	}

	private static void setResolution(Window form) {
		if (find(root(form), Label.class).anyMatch(l -> l.getText() != null && l.getText().startsWith("Resolution")))
			setNumber(form, "Resolution", 0.5);
		else
			setNumber(form, "Downsample", 1);
	}

	/** @return the script of the open image's last workflow step, noted in the details under {@code command} */
	private String lastStep(String command) {
		String step = fxOr(() -> qupath.getImageData().getHistoryWorkflow().getLastStep()
				instanceof qupath.lib.plugins.workflow.ScriptableWorkflowStep scripted ? scripted.getScript() : "", "");
		details.add(command + ": workflow step " + step);
		return step;
	}

	/** Fills a training form: the model's name, 32 px tiles (or patches: {@code size} names the row), {@code epochs}, 2 folds, seed 1. */
	private static void fillTraining(Window form, String name, String size, int epochs) {
		setText(form, "Model name", name);
		setNumber(form, size, 32);
		setResolution(form);
		setNumber(form, "Epochs", epochs);
		setNumber(form, "Cross-validation folds", 2);
		setNumber(form, "Seed", 1);
	}

	private static void setText(Window form, String label, String text) {
		((TextField) control(form, label)).setText(text);
	}

	private static String text(Window form, String label) {
		return ((TextInputControl) control(form, label)).getText();
	}

	/** The model chosen in a model form (the first listed); fails when the list is empty. */
	private static String ensureModel(Window form) {
		@SuppressWarnings("unchecked")
		var combo = (ComboBox<String>) control(form, "Model");
		String value = combo.getValue();
		if (value == null || value.isBlank())
			throw new IllegalStateException("the Model list is empty (items " + combo.getItems() + ")");
		return value;
	}

	/** Presses the button whose text starts with {@code text} (or the dialog's OK/Close/Yes button for "OK"). */
	private static boolean pressButton(Window window, String text) {
		var pane = find(root(window), DialogPane.class).findFirst().orElse(null);
		if (pane != null && text.equals("OK")) {
			for (var type : List.of(ButtonType.OK, ButtonType.CLOSE, ButtonType.YES, ButtonType.FINISH, ButtonType.APPLY)) {
				if (pane.getButtonTypes().contains(type) && pane.lookupButton(type) instanceof Button b && !b.isDisabled()) {
					Platform.runLater(b::fire);
					return true;
				}
			}
		}
		var button = find(root(window), Button.class).filter(b -> b.getText() != null && b.getText().startsWith(text) && !b.isDisabled())
				.findFirst().orElse(null);
		if (button == null)
			return false;
		// Later, not now: the button may open a dialog with showAndWait, which would block this call.
		Platform.runLater(button::fire);
		return true;
	}

	/** Whether buttons are clicked with real X mouse events (xdotool) rather than fired. */
	private static final boolean MOUSE = !"false".equals(System.getProperty("tessera.gui.mouse"));

	/** The screen centre of the button {@link #pressButton} would press, or null. */
	private static double[] buttonCentre(Window window, String text) {
		Button button = null;
		var pane = find(root(window), DialogPane.class).findFirst().orElse(null);
		if (pane != null && text.equals("OK")) {
			for (var type : List.of(ButtonType.OK, ButtonType.CLOSE, ButtonType.YES, ButtonType.FINISH, ButtonType.APPLY))
				if (button == null && pane.getButtonTypes().contains(type) && pane.lookupButton(type) instanceof Button b && !b.isDisabled())
					button = b;
		}
		if (button == null)
			button = find(root(window), Button.class).filter(b -> b.getText() != null && b.getText().startsWith(text) && !b.isDisabled())
					.findFirst().orElse(null);
		if (button == null || !button.isVisible())
			return null;
		var bounds = button.localToScreen(button.getBoundsInLocal());
		return bounds == null ? null : new double[] {bounds.getCenterX(), bounds.getCenterY()};
	}

	/**
	 * Clicks a button as a user would: a real mouse click on the X display at the button's centre.
	 * @return null when clicked, else why not
	 */
	private String click(Window window, String text) {
		double[] at = fxOr(() -> buttonCentre(window, text), null);
		if (at == null)
			return "no visible enabled '" + text + "' button";
		try {
			var process = new ProcessBuilder("xdotool", "mousemove", "--sync", Long.toString(Math.round(at[0])),
					Long.toString(Math.round(at[1])), "click", "1").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0)
				return "xdotool failed: " + output;
			details.add(String.format(Locale.ROOT, "%8d ms  mouse click on '%s' at (%d, %d) in %s", ms(), text, Math.round(at[0]),
					Math.round(at[1]), describe(window)));
			return null;
		} catch (IOException | InterruptedException e) {
			return "xdotool failed: " + e;
		}
	}

	/**
	 * Presses {@code text} in {@code window} — with a real mouse click when {@link #MOUSE} — and waits
	 * up to 3 s for {@code closes} to close (or for {@code opens} windows to appear, when given).
	 * @return null when that happened, else what went wrong (after which the button was fired directly)
	 */
	private String press(Window window, String text, Window closes) {
		if (MOUSE) {
			String why = click(window, text);
			if (why == null) {
				if (closes == null || waitUntil(3000, () -> !fxOr(closes::isShowing, true)))
					return null;
				why = "a real mouse click on '" + text + "' did not close " + describe(closes) + " within 3 s";
			}
			fxOr(() -> pressButton(window, text), false);
			if (closes != null)
				waitUntil(3000, () -> !fxOr(closes::isShowing, true));
			return why;
		}
		if (!fxOr(() -> pressButton(window, text), false))
			return "no '" + text + "' button";
		if (closes != null && !waitUntil(3000, () -> !fxOr(closes::isShowing, true)))
			return "pressing '" + text + "' did not close " + describe(closes);
		return null;
	}

	/** Closes a result dialog the way a user would (its OK by mouse) and reports when that does not work. */
	private void closeResult(String command, Window w) {
		if (!fxOr(w::isShowing, false) || shownKinds.getOrDefault(w, "").equals("notification"))
			return;
		String why = press(w, "OK", w);
		if (why != null)
			fail(command + " (closing its result)", why);
	}

	/** Closes every window but QuPath's main window: dialogs by their OK/Close/Cancel button, others by hiding. */
	private void closeStrayWindows() {
		for (int attempt = 0; attempt < 20; attempt++) {
			var stray = fxOr(() -> Window.getWindows().stream().filter(w -> w != qupath.getStage() && w.isShowing()
					&& !(w instanceof PopupWindow && !kind(w).equals("notification"))).toList(), List.<Window>of());
			if (stray.isEmpty())
				return;
			for (var w : stray) {
				fxOr(() -> {
					var pane = find(root(w), DialogPane.class).findFirst().orElse(null);
					if (pane != null) {
						for (var type : List.of(ButtonType.OK, ButtonType.CLOSE, ButtonType.CANCEL, ButtonType.NO, ButtonType.YES)) {
							if (pane.getButtonTypes().contains(type) && pane.lookupButton(type) instanceof Button b) {
								Platform.runLater(b::fire);
								return true;
							}
						}
					}
					if (kind(w).equals("progress"))
						pressButton(w, "Cancel");
					w.hide();
					return true;
				}, false);
			}
			sleep(400);
		}
		details.add("could not close: " + fxOr(() -> Window.getWindows().stream().filter(w -> w != qupath.getStage())
				.map(this::describe).toList(), List.of()));
	}

	// ---------------------------------------------------------------- window tracking

	private void trackWindows() throws Exception {
		fx(() -> {
			for (var w : Window.getWindows())
				record(true, w);
			Window.getWindows().addListener((ListChangeListener<Window>) change -> {
				while (change.next()) {
					for (var w : change.getRemoved())
						record(false, w);
					for (var w : change.getAddedSubList())
						record(true, w);
				}
			});
			return null;
		});
	}

	private final Map<Window, String> lastTexts = Collections.synchronizedMap(new IdentityHashMap<>());
	private final Map<Window, String> shownKinds = Collections.synchronizedMap(new IdentityHashMap<>());
	private final Map<Window, javafx.scene.image.WritableImage> sceneShots = Collections.synchronizedMap(new IdentityHashMap<>());

	/** On the FX thread: keeps a snapshot of {@code w}'s scene while it still holds its dialog content. */
	private void snapshotScene(Window w) {
		try {
			if (w.getScene() != null && find(root(w), DialogPane.class).findAny().isPresent())
				sceneShots.put(w, w.getScene().snapshot(null));
		} catch (RuntimeException e) {
			timeline.add("snapshot of W" + ids.get(w) + " failed: " + e);
		}
	}

	/** Writes the latest scene snapshot of {@code w} (taken now if it is showing); returns its file name, or null. */
	private String saveSceneShot(String command, Window w) {
		fxOr(() -> {
			if (w.isShowing())
				snapshotScene(w);
			return null;
		}, null);
		var image = sceneShots.get(w);
		if (image == null)
			return null;
		int id = ids.getOrDefault(w, 0);
		String file = String.format(Locale.ROOT, "%02d-%s-W%d-scene.png", ++shotCount, slug(command), id);
		try {
			int width = (int) image.getWidth();
			int height = (int) image.getHeight();
			var buffered = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
			int[] argb = new int[width * height];
			image.getPixelReader().getPixels(0, 0, width, height, javafx.scene.image.PixelFormat.getIntArgbInstance(), argb, 0, width);
			buffered.setRGB(0, 0, width, height, argb, 0, width);
			javax.imageio.ImageIO.write(buffered, "png", shots.resolve(file).toFile());
			details.add(String.format(Locale.ROOT, "%8d ms  scene snapshot %s (%s, its content rendered off screen)", ms(), file, describe(w)));
			return file;
		} catch (IOException | RuntimeException e) {
			details.add("scene snapshot " + file + " failed: " + e);
			return null;
		}
	}

	/** On the FX thread. */
	private void record(boolean shown, Window w) {
		int id = ids.computeIfAbsent(w, k -> ids.size() + 1);
		String kind = shown ? kind(w) : shownKinds.getOrDefault(w, kind(w));
		if (shown)
			shownKinds.put(w, kind);
		// What a dialog shows, captured as it opens and again as it closes (final size and layout):
		// it may vanish before the next screenshot of the display.
		if (kind.endsWith("dialog"))
			snapshotScene(w);
		String text = "";
		try {
			text = windowText(w);
		} catch (RuntimeException e) {
			text = "(text unavailable: " + e + ")";
		}
		if (!text.isEmpty())
			lastTexts.put(w, text);
		String description = describe(w);
		var event = new Event(ms(), shown, id, w, kind, description);
		events.add(event);
		if (!kind.equals("popup"))
			timeline.add(String.format(Locale.ROOT, "%8d ms  %-6s %s  text: %s", event.ms(), shown ? "SHOWN" : "HIDDEN",
					description, clip(text, 400)));
	}

	private String lastText(Window w) {
		return lastTexts.getOrDefault(w, "");
	}

	private String describe(Window w) {
		int id = ids.computeIfAbsent(w, k -> ids.size() + 1);
		String title = w instanceof Stage s ? s.getTitle() : null;
		Window owner = w instanceof Stage s ? s.getOwner() : w instanceof PopupWindow p ? p.getOwnerWindow() : null;
		String ownerText = owner == null ? "none"
				: owner == qupath.getStage() ? "QuPath main window"
				: "W" + ids.computeIfAbsent(owner, k -> ids.size() + 1) + (owner instanceof Stage s ? " '" + s.getTitle() + "'" : "")
						+ (kind(owner).equals("progress") ? " (the PROGRESS window)" : "");
		String modality = w instanceof Stage s ? s.getModality().toString() : "-";
		return "W" + id + " " + shownKinds.getOrDefault(w, kind(w)) + " '" + title + "' (owner: " + ownerText + ", modality " + modality + ")";
	}

	/** main, progress, dialog, error-dialog, notification, popup or stage. */
	private String kind(Window w) {
		if (w == qupath.getStage())
			return "main";
		var root = root(w);
		if (w instanceof PopupWindow)
			return root != null && find(root, Node.class).anyMatch(n -> n.getClass().getName().contains("Notification"))
					? "notification" : "popup";
		var pane = find(root, DialogPane.class).findFirst().orElse(null);
		if (pane != null)
			return pane.getStyleClass().contains("error") ? "error-dialog" : "dialog";
		if (find(root, ProgressBar.class).findAny().isPresent()
				&& find(root, Button.class).anyMatch(b -> "Cancel".equals(b.getText())))
			return "progress";
		return "stage";
	}

	private static boolean relevant(String kind) {
		return !kind.equals("popup") && !kind.equals("main");
	}

	private List<Event> eventsSince(long since) {
		synchronized (events) {
			return events.stream().filter(e -> e.ms() >= since).toList();
		}
	}

	private Event firstShown(long since, Predicate<Window> filter) {
		for (var e : eventsSince(since))
			if (e.shown() && fxOr(() -> filter.test(e.window()), false))
				return e;
		return null;
	}

	private Event firstEventOf(Window w, boolean shown, long since) {
		for (var e : eventsSince(since))
			if (e.window() == w && e.shown() == shown)
				return e;
		return null;
	}

	private Event hiddenEvent(Window w, long since) {
		return firstEventOf(w, false, since);
	}

	private List<Window> showingSince(long since) {
		var result = new ArrayList<Window>();
		for (var e : eventsSince(since))
			if (e.shown() && !result.contains(e.window()) && fxOr(e.window()::isShowing, false))
				result.add(e.window());
		return result;
	}

	private Window waitForNewWindow(long since, long timeoutMs, Predicate<Window> filter) {
		long end = ms() + timeoutMs;
		while (ms() < end) {
			var e = firstShown(since, filter);
			if (e != null)
				return e.window();
			sleep(100);
		}
		return null;
	}

	private String windowsSince(long since, Set<Window> except) {
		var list = new ArrayList<String>();
		for (var e : eventsSince(since))
			if (!except.contains(e.window()) && relevant(e.kind()))
				list.add((e.shown() ? "shown " : "hidden ") + e.description() + " at +" + (e.ms() - since) + " ms: " + clip(lastText(e.window()), 200));
		return list.isEmpty() ? "; no window opened" : "; windows: " + String.join("; ", list);
	}

	private static String rel(Event e, long reference) {
		if (e == null)
			return "?";
		long d = e.ms() - reference;
		return (d >= 0 ? "+" : "") + d + " ms";
	}

	// ---------------------------------------------------------------- scene graph

	private static Parent root(Window w) {
		return w == null || w.getScene() == null ? null : w.getScene().getRoot();
	}

	/** Every node below {@code root} (including the contents of scroll and titled panes) of type {@code type}. */
	private static <T> Stream<T> find(Node root, Class<T> type) {
		if (root == null)
			return Stream.empty();
		var seen = Collections.newSetFromMap(new IdentityHashMap<Node, Boolean>());
		var all = new ArrayList<Node>();
		collect(root, seen, all);
		return all.stream().filter(type::isInstance).map(type::cast);
	}

	private static void collect(Node node, Set<Node> seen, List<Node> all) {
		if (node == null || !seen.add(node))
			return;
		all.add(node);
		if (node instanceof ScrollPane s)
			collect(s.getContent(), seen, all);
		if (node instanceof TitledPane t)
			collect(t.getContent(), seen, all);
		if (node instanceof DialogPane d)
			collect(d.getContent(), seen, all);
		if (node instanceof Parent p)
			for (var child : p.getChildrenUnmodifiable())
				collect(child, seen, all);
	}

	/** The visible text of a window: labels, buttons, text nodes, text fields, list and table cells. */
	private static String windowText(Window w) {
		var root = root(w);
		if (root == null)
			return "";
		var parts = new LinkedHashSet<String>();
		find(root, Node.class).forEach(n -> {
			String t = null;
			if (n instanceof Labeled l)
				t = l.getText();
			else if (n instanceof Text x && !(x.getParent() instanceof Labeled))
				t = x.getText();
			else if (n instanceof TextInputControl c)
				t = c.getText();
			if (t != null && !t.isBlank())
				parts.add(t.strip().replace('\n', ' '));
		});
		return String.join(" | ", parts);
	}

	private static String texts(Node node) {
		if (node instanceof ListView<?> list)
			return list.getItems().toString();
		if (node instanceof TableView<?> table)
			return table.getItems().toString();
		return String.valueOf(node);
	}

	// ---------------------------------------------------------------- exceptions

	void recordUncaughtExceptions() {
		var previous = Thread.getDefaultUncaughtExceptionHandler();
		Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
			caught.add(new Caught(ms(), thread.getName(), error));
			if (previous != null)
				previous.uncaughtException(thread, error);
			else
				error.printStackTrace();
		});
	}

	private String exceptionsSince(long since) {
		List<Caught> list;
		synchronized (caught) {
			list = caught.stream().filter(c -> c.ms() >= since).toList();
		}
		if (list.isEmpty())
			return "";
		return "; UNCAUGHT on " + list.stream().map(c -> c.thread() + ": " + firstLines(c.error(), 3)).collect(Collectors.joining("; "));
	}

	private static String firstLines(Throwable e, int n) {
		return stackTrace(e).lines().limit(n).map(String::strip).collect(Collectors.joining(" "));
	}

	private static String stackTrace(Throwable e) {
		var w = new StringWriter();
		e.printStackTrace(new PrintWriter(w));
		return w.toString();
	}

	// ---------------------------------------------------------------- report, screenshots, helpers

	private void pass(String command, String reason) {
		report.add("PASS  " + command + "… — " + reason);
		System.out.println("[tessera-gui-driver] PASS " + command);
	}

	private void fail(String command, String reason) {
		failures++;
		report.add("FAIL  " + command + "… — " + reason);
		System.out.println("[tessera-gui-driver] FAIL " + command + ": " + reason);
	}

	private void note(String text) {
		details.add(text);
		System.out.println("[tessera-gui-driver] " + text);
	}

	private void writeFiles() throws IOException {
		Files.createDirectories(out);
		var all = new ArrayList<String>(report);
		all.add("");
		all.add("Details:");
		all.addAll(details);
		Files.write(out.resolve("report.txt"), all, StandardCharsets.UTF_8);
		synchronized (timeline) {
			Files.write(out.resolve("timeline.txt"), timeline, StandardCharsets.UTF_8);
		}
		var errors = new ArrayList<String>();
		synchronized (caught) {
			for (var c : caught)
				errors.add(c.ms() + " ms on " + c.thread() + ":\n" + stackTrace(c.error()));
		}
		Files.write(out.resolve("uncaught-exceptions.txt"), errors, StandardCharsets.UTF_8);
	}

	private void screenshot(String name) {
		String file = String.format(Locale.ROOT, "%02d-%s.png", ++shotCount, name);
		try {
			var process = new ProcessBuilder("import", "-window", "root", shots.resolve(file).toString())
					.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
			if (!process.waitFor(20, TimeUnit.SECONDS))
				process.destroyForcibly();
			details.add(String.format(Locale.ROOT, "%8d ms  screenshot %s", ms(), file));
		} catch (Exception e) {
			details.add("screenshot " + file + " failed: " + e);
		}
	}

	private static String slug(String command) {
		return command.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
	}

	private static long countFiles(Path folder, String suffix) {
		if (!Files.isDirectory(folder))
			return 0;
		try (var files = Files.walk(folder)) {
			return files.filter(p -> p.toString().endsWith(suffix)).count();
		} catch (IOException e) {
			return -1;
		}
	}

	private long ms() {
		return (System.nanoTime() - t0) / 1_000_000;
	}

	private static void sleep(long ms) {
		try {
			Thread.sleep(ms);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static String clip(String text, int max) {
		if (text == null)
			return "";
		return text.length() <= max ? text : text.substring(0, max) + "…";
	}

	private boolean waitUntil(long timeoutMs, BooleanSupplier condition) {
		long end = ms() + timeoutMs;
		while (ms() < end) {
			if (condition.getAsBoolean())
				return true;
			sleep(250);
		}
		return false;
	}

	/** Runs {@code task} on the JavaFX thread and waits (30 s) for its result. */
	private static <T> T fx(Callable<T> task) throws Exception {
		if (Platform.isFxApplicationThread())
			return task.call();
		var future = new CompletableFuture<T>();
		Platform.runLater(() -> {
			try {
				future.complete(task.call());
			} catch (Throwable e) {
				future.completeExceptionally(e);
			}
		});
		try {
			return future.get(30, TimeUnit.SECONDS);
		} catch (java.util.concurrent.ExecutionException e) {
			if (e.getCause() instanceof Exception x)
				throw x;
			throw e;
		}
	}

	/** {@link #fx}, or {@code fallback} when it throws or times out. */
	private static <T> T fxOr(Callable<T> task, T fallback) {
		try {
			return fx(task);
		} catch (Exception e) {
			return fallback;
		}
	}
}
