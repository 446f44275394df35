package qupath.ext.tessera.gui;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import javafx.scene.control.Dialog;
import javafx.stage.Window;
import qupath.ext.tessera.ProjectModels;
import qupath.ext.tessera.Tessera;
import qupath.ext.tessera.bridge.Diagnostics;
import qupath.ext.tessera.bridge.PackageRecords;
import qupath.fx.dialogs.Dialogs;
import qupath.lib.gui.QuPathGUI;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.projects.ProjectImageEntry;

/**
 * The menu commands: each opens its form pre-filled from the current image, runs the same job a
 * script would on QuPath's background executor with a progress window (never on the JavaFX
 * thread), then shows the results or the error in a dialog owned by QuPath's main window (see
 * {@link JobRunner}). Cancelling writes and adds nothing.
 */
public final class TesseraCommands {

	private final QuPathGUI qupath;
	private final TesseraPreferences preferences;
	private final JobRunner runner;

	/**
	 * @param qupath the QuPath window
	 * @param preferences Tessera's preferences
	 */
	public TesseraCommands(QuPathGUI qupath, TesseraPreferences preferences) {
		this.qupath = qupath;
		this.preferences = preferences;
		this.runner = new JobRunner(qupath.getStage(), qupath.getThreadPoolManager().getSingleThreadExecutor(this),
				Dialogs::showInfoNotification, Dialogs::showConfirmDialog);
	}

	/**
	 * Adds the commands below {@code menu}.
	 * @param menu e.g. {@code Extensions>Tessera}
	 */
	public void install(String menu) {
		qupath.installCommand(menu + ">Train tile classifier…", () -> train(TrainForm.Kind.TILES));
		qupath.installCommand(menu + ">Train pixel classifier…", () -> train(TrainForm.Kind.PIXELS));
		qupath.installCommand(menu + ">Apply model…", this::apply);
		qupath.installCommand(menu + ">Evaluate model…", this::evaluate);
		qupath.installCommand(menu + ">Find tiles to review…", this::findTilesToReview);
		qupath.installCommand(menu + ">Review tiles…", this::reviewTiles);
		qupath.installCommand(menu + ">Export training tiles…", this::exportTiles);
		qupath.installCommand(menu + ">Manage models…", this::manageModels);
		qupath.installCommand(menu + ">Run for project…", this::runForProject);
		qupath.installCommand(menu + ">Check installation", this::checkInstallation);
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
		String name = entry != null ? entry.getImageName() : Tessera.imageName(imageData);
		List<String> images = project == null ? List.of() : project.getImageList().stream().map(ProjectImageEntry::getImageName).toList();
		return ImageContext.of(imageData, name, images, modelDirectory());
	}

	/** *Train tile classifier…* or *Train pixel classifier…*: the form, then the training job and its results. */
	private void train(TrainForm.Kind kind) {
		String command = kind == TrainForm.Kind.PIXELS ? "Train pixel classifier" : "Train tile classifier";
		String title = "Tessera: " + command.toLowerCase(java.util.Locale.ROOT);
		var imageData = image(command);
		if (imageData == null)
			return;
		var context = context(imageData);
		var form = new TrainForm(kind, context, preferences.defaults());
		if (!Dialogs.showConfirmDialog(title, form.pane()))
			return;
		var problem = form.problem();
		if (problem.isPresent()) {
			Messages.message(qupath.getStage(), title, problem.get()).show();
			return;
		}
		var job = form.job();
		Path model = form.modelPath();
		List<String> chosen = form.chosenImages();
		boolean currentOnly = chosen.equals(List.of(context.imageName()));
		if (!currentOnly && imageData.isChanged() && !Dialogs.showConfirmDialog(title,
				"Training on several images reads each image's saved data: the current image's unsaved changes are left out. Continue?"))
			return;
		runner.run("Training " + model.getFileName(), job, () -> {
			if (currentOnly)
				return job.train(imageData, model.toString());
			var metrics = job.trainOnProject(entries(chosen), model.toString());
			imageData.getHistoryWorkflow().addStep(job.projectStep(chosen, model.toString()));
			return metrics;
		}, (metrics, owner) -> results(owner, "Trained " + model.getFileName(), ProjectModels.load(model)));
	}

	private void apply() {
		var imageData = image("Apply model");
		if (imageData == null)
			return;
		var form = new ModelForm(ModelForm.Purpose.APPLY, context(imageData), preferences.defaults());
		List<PathObject> selected = Tessera.selectedAnnotations(imageData);
		if (!selected.isEmpty())
			form.offerSelection(selected.size());
		if (!Dialogs.showConfirmDialog("Tessera: apply model", form.pane()))
			return;
		var job = form.application();
		boolean onlySelected = form.onlySelected();
		runner.run("Applying " + Path.of(form.modelPath()).getFileName(), job,
				() -> onlySelected ? job.apply(imageData, selected) : job.apply(imageData),
				(added, owner) -> Messages.message(owner, "Tessera: apply model",
						added + " objects added (earlier Tessera results in the same regions replaced)"));
	}

	private void evaluate() {
		var imageData = image("Evaluate model");
		if (imageData == null)
			return;
		var form = new ModelForm(ModelForm.Purpose.EVALUATE, context(imageData), preferences.defaults());
		if (!Dialogs.showConfirmDialog("Tessera: evaluate model", form.pane()))
			return;
		var job = form.evaluation();
		runner.run("Evaluating " + Path.of(form.modelPath()).getFileName(), job, () -> job.evaluate(imageData),
				(report, owner) -> Messages.message(owner, "Tessera: evaluation",
						new ResultsView(PackageRecords.report(report), null, null).pane()));
	}

	private void findTilesToReview() {
		var imageData = image("Find tiles to review");
		if (imageData == null)
			return;
		var form = new ReviewForm(qupath.getProject() != null);
		if (!Dialogs.showConfirmDialog("Tessera: find tiles to review", form.pane()))
			return;
		var job = form.job();
		var project = qupath.getProject();
		if (form.wholeProject() && project != null) {
			runner.run("Finding tiles to review in the project", job, () -> job.findInProject(project.getImageList()),
					(results, owner) -> {
						qupath.refreshProject();
						return reviewTable(owner, imageData);
					});
		} else {
			runner.run("Finding tiles to review", job, () -> job.find(imageData),
					(added, owner) -> reviewTable(owner, imageData));
		}
	}

	private void reviewTiles() {
		var imageData = image("Review tiles");
		if (imageData != null)
			reviewTable(qupath.getStage(), imageData).show();
	}

	/** The review table of the image, its rows shown in QuPath's viewer. */
	private Dialog<?> reviewTable(Window owner, ImageData<BufferedImage> imageData) {
		var table = new ReviewTable(imageData, review -> {
			var roi = review.getROI();
			qupath.getViewer().setCenterPixelLocation(roi.getBoundsX() + roi.getBoundsWidth() / 2,
					roi.getBoundsY() + roi.getBoundsHeight() / 2);
			imageData.getHierarchy().getSelectionModel().setSelectedObject(review);
		}, qupath.getThreadPoolManager().getSingleThreadExecutor(ReviewTable.class));
		return Messages.message(owner, "Tessera: review tiles", table.pane());
	}

	private void exportTiles() {
		var imageData = image("Export training tiles");
		if (imageData == null)
			return;
		var form = new ExportForm(context(imageData), preferences.defaults());
		if (!Dialogs.showConfirmDialog("Tessera: export training tiles", form.pane()))
			return;
		var job = form.job();
		runner.run("Exporting tiles", job, () -> job.export(imageData, form.folder()),
				(count, owner) -> Messages.message(owner, "Tessera: export training tiles",
						count + " tiles written to " + form.folder()));
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
		runner.run("Applying to " + form.chosenImages().size() + " images", job,
				() -> job.applyToProject(entries(form.chosenImages())), this::batch);
	}

	private void manageModels() {
		ModelsView[] view = new ModelsView[1];
		view[0] = new ModelsView(modelDirectory(),
				model -> results(qupath.getStage(), model.name(), ProjectModels.load(model.file())).show(),
				model -> {
					if (Dialogs.showConfirmDialog("Delete model", "Delete " + model.file() + "?")) {
						ProjectModels.delete(model.file());
						view[0].refresh();
					}
				});
		Dialogs.showMessageDialog("Tessera: models", view[0].pane());
	}

	private void checkInstallation() {
		runner.run("Checking installation", progress -> {}, cancel -> {}, Diagnostics::report,
				(report, owner) -> Messages.message(owner, "Tessera: installation", report));
	}

	private Dialog<?> batch(List<Tessera.ImageResult> results, Window owner) {
		var text = new StringBuilder();
		for (var result : results)
			text.append(result.image()).append(": ")
					.append(result.error() == null ? result.objects() + " objects" : "FAILED — " + result.error()).append('\n');
		qupath.refreshProject();
		return Messages.message(owner, "Tessera: run for project", text.toString());
	}

	private Dialog<?> results(Window owner, String title, PackageRecords.Package model) {
		var view = ResultsView.of(model);
		return view == null ? Messages.message(owner, "Tessera: " + title, model.name() + " records no metrics (an imported model).")
				: Messages.message(owner, "Tessera: " + title, view.pane());
	}
}
