package qupath.ext.tessera.gui;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.gson.JsonObject;

import javafx.application.Platform;
import javafx.scene.Node;
import qupath.ext.tessera.ProjectModels;
import qupath.ext.tessera.Tessera;
import qupath.ext.tessera.bridge.CancellationToken;
import qupath.ext.tessera.bridge.CancelledException;
import qupath.fx.dialogs.Dialogs;
import qupath.lib.gui.QuPathGUI;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;
import qupath.lib.projects.ProjectImageEntry;

/**
 * The menu commands: each opens its form pre-filled from the current image, runs the same job a
 * script would on QuPath's background executor with a progress window (never on the JavaFX
 * thread), then shows the results. Cancelling writes and adds nothing.
 */
public final class TesseraCommands {

	private static final Logger logger = LoggerFactory.getLogger(TesseraCommands.class);

	private final QuPathGUI qupath;
	private final TesseraPreferences preferences;

	/**
	 * @param qupath the QuPath window
	 * @param preferences Tessera's preferences
	 */
	public TesseraCommands(QuPathGUI qupath, TesseraPreferences preferences) {
		this.qupath = qupath;
		this.preferences = preferences;
	}

	/**
	 * Adds the commands below {@code menu}.
	 * @param menu e.g. {@code Extensions>Tessera}
	 */
	public void install(String menu) {
		qupath.installCommand(menu + ">Train tile classifier…", this::train);
		qupath.installCommand(menu + ">Apply model…", this::apply);
		qupath.installCommand(menu + ">Evaluate model…", this::evaluate);
		qupath.installCommand(menu + ">Export training tiles…", this::exportTiles);
		qupath.installCommand(menu + ">Manage models…", this::manageModels);
		qupath.installCommand(menu + ">Run for project…", this::runForProject);
	}

	private ImageData<BufferedImage> image(String command) {
		var imageData = qupath.getImageData();
		if (imageData == null)
			Dialogs.showErrorMessage(command, "Open an image with classified annotations first.");
		return imageData;
	}

	private Path modelDirectory() {
		var project = qupath.getProject();
		return project != null && project.getPath() != null ? ProjectModels.directory(project)
				: preferences.defaults().modelDirectory();
	}

	private List<ProjectImageEntry<BufferedImage>> entries(List<String> names) {
		var project = qupath.getProject();
		return project == null ? List.of()
				: project.getImageList().stream().filter(e -> names.contains(e.getImageName())).toList();
	}

	private ImageContext context(ImageData<BufferedImage> imageData) {
		var project = qupath.getProject();
		var entry = project == null ? null : project.getEntry(imageData);
		String name = entry != null ? entry.getImageName() : Path.of(imageData.getServer().getPath()).getFileName().toString();
		List<String> images = project == null ? List.of() : project.getImageList().stream().map(ProjectImageEntry::getImageName).toList();
		return ImageContext.of(imageData, name, images, modelDirectory());
	}

	private void train() {
		var imageData = image("Train tile classifier");
		if (imageData == null)
			return;
		var context = context(imageData);
		var form = new TrainForm(context, preferences.defaults());
		if (!Dialogs.showConfirmDialog("Tessera: train tile classifier", form.pane()))
			return;
		var job = form.job();
		Path model = form.modelPath();
		List<String> chosen = form.chosenImages();
		boolean currentOnly = chosen.equals(List.of(context.imageName()));
		if (!currentOnly && imageData.isChanged() && !Dialogs.showConfirmDialog("Tessera: train tile classifier",
				"Training on several images reads each image's saved data: the current image's unsaved changes are left out. Continue?"))
			return;
		run("Training " + model.getFileName(), job::progress, job::cancel, () -> {
			if (currentOnly)
				return job.train(imageData, model.toString());
			var metrics = job.trainOnProject(entries(chosen), model.toString());
			imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: train tile classifier",
					Map.of("model", model.toString()), job.projectScript(chosen, model.toString())));
			return metrics;
		}, metrics -> showResults("Trained " + model.getFileName(), metrics, model));
	}

	private void apply() {
		var imageData = image("Apply model");
		if (imageData == null)
			return;
		var form = new ModelForm(ModelForm.Purpose.APPLY, context(imageData), preferences.defaults());
		List<PathObject> selected = imageData.getHierarchy().getSelectionModel().getSelectedObjects().stream()
				.filter(PathObject::isAnnotation).toList();
		if (!selected.isEmpty())
			form.offerSelection(selected.size());
		if (!Dialogs.showConfirmDialog("Tessera: apply model", form.pane()))
			return;
		var job = form.application();
		boolean onlySelected = form.onlySelected();
		run("Applying " + form.modelPath(), job::progress, job::cancel,
				() -> onlySelected ? job.apply(imageData, selected) : job.apply(imageData),
				added -> Dialogs.showInfoNotification("Tessera", added + " objects added"));
	}

	private void evaluate() {
		var imageData = image("Evaluate model");
		if (imageData == null)
			return;
		var form = new ModelForm(ModelForm.Purpose.EVALUATE, context(imageData), preferences.defaults());
		if (!Dialogs.showConfirmDialog("Tessera: evaluate model", form.pane()))
			return;
		var job = form.evaluation();
		run("Evaluating " + form.modelPath(), job::progress, job::cancel, () -> job.evaluate(imageData),
				report -> Dialogs.showMessageDialog("Tessera: evaluation", new ResultsView(report, null, null).pane()));
	}

	private void exportTiles() {
		var imageData = image("Export training tiles");
		if (imageData == null)
			return;
		var form = new ExportForm(context(imageData), preferences.defaults());
		if (!Dialogs.showConfirmDialog("Tessera: export training tiles", form.pane()))
			return;
		var job = form.job();
		run("Exporting tiles", job::progress, job::cancel, () -> job.export(imageData, form.folder()),
				count -> Dialogs.showInfoNotification("Tessera", count + " tiles written to " + form.folder()));
	}

	private void runForProject() {
		var project = qupath.getProject();
		if (project == null) {
			Dialogs.showErrorMessage("Run for project", "Open a project first.");
			return;
		}
		var images = project.getImageList().stream().map(ProjectImageEntry::getImageName).toList();
		var context = new ImageContext("", new java.util.TreeMap<>(), null, images, modelDirectory());
		var form = new ModelForm(ModelForm.Purpose.PROJECT, context, preferences.defaults());
		if (!Dialogs.showConfirmDialog("Tessera: run for project", form.pane()))
			return;
		var job = form.application();
		run("Applying to " + form.chosenImages().size() + " images", job::progress, job::cancel,
				() -> job.applyToProject(entries(form.chosenImages())), this::showBatch);
	}

	private void manageModels() {
		ModelsView[] view = new ModelsView[1];
		view[0] = new ModelsView(modelDirectory(),
				model -> showResults(model.name(), ProjectModels.metrics(model.file()), model.file()),
				model -> {
					if (Dialogs.showConfirmDialog("Delete model", "Delete " + model.file() + "?")) {
						ProjectModels.delete(model.file());
						view[0].refresh();
					}
				});
		Dialogs.showMessageDialog("Tessera: models", view[0].pane());
	}

	private void showBatch(List<Tessera.ImageResult> results) {
		var text = new StringBuilder();
		for (var result : results)
			text.append(result.image()).append(": ")
					.append(result.error() == null ? result.objects() + " objects" : "FAILED — " + result.error()).append('\n');
		Dialogs.showMessageDialog("Tessera: run for project", text.toString());
		qupath.refreshProject();
	}

	private void showResults(String title, JsonObject metrics, Path model) {
		Node view = new ResultsView(metrics.getAsJsonObject("final_hold_out"),
				metrics.get("cross_validation").isJsonObject() ? metrics.getAsJsonObject("cross_validation") : null,
				ProjectModels.history(model)).pane();
		Dialogs.showMessageDialog("Tessera: " + title, view);
	}

	/** A job's body, which may throw. */
	private interface Work<T> {
		T run() throws Exception;
	}

	/**
	 * Runs {@code work} on QuPath's background executor with a progress window wired to the job's
	 * progress and cancellation; shows the result on the JavaFX thread, or the error.
	 */
	private <T> void run(String title, Consumer<qupath.ext.tessera.bridge.ProgressListener> progress,
			Consumer<CancellationToken> cancel, Work<T> work, Consumer<T> done) {
		var token = new CancellationToken();
		var window = new ProgressWindow(token);
		progress.accept(window);
		cancel.accept(token);
		window.show(qupath.getStage(), "Tessera: " + title);
		qupath.getThreadPoolManager().getSingleThreadExecutor(this).submit(() -> {
			try {
				T result = work.run();
				Platform.runLater(() -> done.accept(result));
			} catch (CancelledException e) {
				Platform.runLater(() -> Dialogs.showInfoNotification("Tessera", title + ": cancelled, nothing was written"));
			} catch (Exception e) {
				logger.error("Tessera: {} failed", title, e);
				Platform.runLater(() -> Dialogs.showErrorMessage("Tessera: " + title, e));
			} finally {
				window.close();
				token.close();
			}
		});
	}
}
