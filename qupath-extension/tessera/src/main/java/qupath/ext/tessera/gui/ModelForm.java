package qupath.ext.tessera.gui;

import java.util.List;

import javafx.collections.FXCollections;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import qupath.ext.tessera.Application;
import qupath.ext.tessera.Evaluation;
import qupath.ext.tessera.ProjectModels;
import qupath.ext.tessera.Tessera;

/**
 * The form of the commands that run a trained model: *Apply model…*, *Evaluate model…* and
 * *Run for project…*. The model list holds the models of the project (or preferred folder);
 * any other package or ONNX file can be typed in.
 */
public final class ModelForm {

	/** Which command the form serves. */
	public enum Purpose {
		/** Add tile detections inside the current image's annotations. */
		APPLY,
		/** Score the model against the current image's classified annotations. */
		EVALUATE,
		/** Apply to chosen images of the project, saving each. */
		PROJECT
	}

	final ComboBox<String> model;
	final Spinner<Double> minCoverage;
	final Spinner<Integer> threads;
	final ComboBox<String> device;
	final ComboBox<String> precision;
	final CheckBox mergeClasses;
	final CheckBox adaptNormalisation;
	final TextField reportFolder;
	final TextField heatmaps;
	final ListView<Form.Choice> images;
	CheckBox onlySelected;
	private final Form form = new Form();

	/**
	 * @param purpose the command
	 * @param context the current image and project
	 * @param defaults the user's preferred values
	 */
	public ModelForm(Purpose purpose, ImageContext context, Defaults defaults) {
		var known = ProjectModels.list(context.modelDirectory()).stream().map(m -> m.file().toString()).toList();
		model = form.row("Model", "A .tessera package, or an ONNX file with a WSInfer-style config.json beside it",
				new ComboBox<>(FXCollections.observableArrayList(known)));
		model.setEditable(true);
		model.setMaxWidth(Double.MAX_VALUE);
		if (!known.isEmpty())
			model.setValue(known.get(0));
		minCoverage = form.row("Minimum coverage", "Tiles count when at least this share lies inside the annotation",
				Form.decimals(0.05, 1, 0.5, 0.05));
		threads = form.row("Threads", "ONNX Runtime threads", Form.integers(1, 256, defaults.threads()));
		device = form.row("Device", "cuda needs an onnxruntime-gpu library; without one the model runs on the CPU (the log says why)",
				new ComboBox<>(FXCollections.observableArrayList("cpu", "cuda")));
		device.setValue("cpu");
		precision = form.row("Precision", "auto runs the package's int8 model (several times faster on the CPU) where it "
				+ "answered as the float model does on the package's validation tiles; fp32 always runs the float model",
				new ComboBox<>(FXCollections.observableArrayList("auto", "fp32", "int8")));
		precision.setValue("auto");
		mergeClasses = purpose == Purpose.EVALUATE ? null
				: form.wide(Form.check("Also add one merged annotation per predicted class", false));
		adaptNormalisation = purpose == Purpose.EVALUATE ? null
				: form.wide(Form.check("Re-estimate the model's normalisation on each image (AdaBN: another scanner or stain)", false));
		heatmaps = purpose == Purpose.APPLY
				? form.row("Heatmaps folder", "Segmentation models: each class's probability map as <class>.png (grey + alpha) "
						+ "in this folder, one subfolder per annotation when applied inside several (leave empty for none)", new TextField())
				: null;
		if (heatmaps != null)
			heatmaps.setPromptText("none");
		reportFolder = purpose == Purpose.EVALUATE
				? form.row("Report folder", "metrics.json is written here (leave empty for none)", new TextField())
				: null;
		images = purpose == Purpose.PROJECT
				? form.row("Images", "Each chosen image is processed and saved in turn", Form.checklist(context.projectImages()))
				: null;
	}

	/**
	 * Offers to apply inside the selected annotations only (checked).
	 * @param count how many annotations are selected
	 */
	public void offerSelection(int count) {
		onlySelected = form.wide(Form.check("Only the " + count + " selected annotation" + (count == 1 ? "" : "s"), true));
	}

	/** @return whether to apply inside the selected annotations only */
	public boolean onlySelected() {
		return onlySelected != null && onlySelected.isSelected();
	}

	/** @return the form */
	public GridPane pane() {
		return form.pane();
	}

	/** @return the model path typed or chosen */
	public String modelPath() {
		String value = model.getEditor().getText();
		return value == null || value.isBlank() ? model.getValue() : value.strip();
	}

	/** @return the application job the form describes */
	public Application application() {
		return Tessera.application(modelPath()).minCoverage(minCoverage.getValue()).threads(threads.getValue())
				.device(device.getValue()).precision(precision.getValue())
				.mergeClasses(mergeClasses != null && mergeClasses.isSelected())
				.adaptNormalisation(adaptNormalisation != null && adaptNormalisation.isSelected())
				.heatmaps(heatmaps == null || heatmaps.getText().isBlank() ? null : heatmaps.getText().strip());
	}

	/** @return the evaluation job the form describes */
	public Evaluation evaluation() {
		var job = Tessera.evaluation(modelPath()).minCoverage(minCoverage.getValue()).threads(threads.getValue())
				.device(device.getValue()).precision(precision.getValue());
		return reportFolder == null || reportFolder.getText().isBlank() ? job : job.report(reportFolder.getText().strip());
	}

	/** @return the project images chosen (empty unless the form runs for a project) */
	public List<String> chosenImages() {
		return images == null ? List.of() : Form.checked(images);
	}
}
