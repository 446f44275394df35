package qupath.ext.tessera.gui;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import qupath.ext.tessera.ProjectModels;
import qupath.ext.tessera.Tessera;
import qupath.ext.tessera.Segmentation;
import qupath.ext.tessera.Training;
import qupath.ext.tessera.TrainingJob;

/**
 * The *Train tile classifier…* and *Train pixel classifier…* form: the classes found in the
 * current image's annotations with their counts, the project images to learn from, tile (or
 * patch) size and resolution, epochs, folds, seed, and the model's name and folder; a tile
 * classifier's backbone and parent model, or a pixel classifier's patch overlap, coverage and loss.
 */
public final class TrainForm {

	/** What the form trains. */
	public enum Kind {
		/** A tile classifier ({@link Tessera#training()}). */
		TILES("-classifier"),
		/** A pixel classifier, a U-Net ({@link Tessera#segmentation()}). */
		PIXELS("-pixels");

		private final String suffix;

		Kind(String suffix) {
			this.suffix = suffix;
		}
	}

	final TextField name;
	final TextField folder;
	final ListView<Form.Choice> images;
	final TableView<Map.Entry<String, Integer>> classes;
	final TilingRows tiling;
	final Spinner<Integer> epochs;
	final Spinner<Integer> folds;
	final Spinner<Integer> seed;
	final TextField backbone;
	final ComboBox<String> parent;
	final Spinner<Double> overlap;
	final Spinner<Double> minCoverage;
	final ComboBox<String> loss;
	private final Kind kind;
	private final Form form = new Form();
	private final Map<String, Integer> classCounts;

	/** Height of a row of the classes table. */
	private static final double ROW = 26;

	/**
	 * @param kind what the form trains
	 * @param context the current image and project
	 * @param defaults the user's preferred values (a pixel classifier starts from the Groovy
	 *        builder's: 64 px patches at 1 µm/px)
	 */
	public TrainForm(Kind kind, ImageContext context, Defaults defaults) {
		this.kind = kind;
		classCounts = context.classCounts();
		name = form.row("Model name", "The model file is <name>.tessera in the folder below",
				new TextField(context.imageName().replaceAll("\\.[A-Za-z0-9]+$", "").replaceAll("[^A-Za-z0-9_-]+", "-") + kind.suffix));
		folder = form.row("Save into", "A project keeps its models in <project>/tessera/models", Form.path(context.modelDirectory()));
		classes = form.row("Classes (annotations)", "Classes found in this image's annotations; every classified area annotation is a training region",
				classTable(context.classCounts()));
		images = form.row("Images", "Images of the project whose annotations are used; validation keeps each image on one side",
				Form.checklist(context.projectImages().isEmpty() ? List.of(context.imageName()) : context.projectImages()));
		boolean pixels = kind == Kind.PIXELS;
		tiling = pixels ? new TilingRows(form, context, "Patch size (px)",
				"Side of the square patches the U-Net learns from: a multiple of 8 (it pools three times)", 64, 1.0)
				: new TilingRows(form, context, defaults);
		overlap = pixels ? form.row("Patch overlap", "Share of a patch's side neighbouring patches overlap by",
				Form.decimals(0, 0.9, 0.5, 0.25)) : null;
		minCoverage = pixels ? form.row("Minimum coverage", "Patches count when annotations cover at least this share: "
				+ "below 1, patches reach past the annotations' edges, so that the edges are learnt", Form.decimals(0.05, 1, 0.25, 0.05))
				: null;
		loss = pixels ? form.row("Loss", "Cross-entropy, Dice, or their sum; weighted by labelled pixels per class",
				new ComboBox<>(FXCollections.observableArrayList("cross-entropy+dice", "cross-entropy", "dice"))) : null;
		if (loss != null)
			loss.setValue("cross-entropy+dice");
		epochs = form.row("Epochs", "Most passes over the training tiles (training stops early when validation stops improving)",
				Form.integers(1, 500, 20));
		folds = form.row("Cross-validation folds", "Folds grouped by image (or by annotation for one image); 0 for none",
				Form.integers(0, 10, 4));
		seed = form.row("Seed", "The same seed trains the same model", Form.integers(0, Integer.MAX_VALUE, 0));
		if (pixels) {
			backbone = null;
			parent = null;
			return;
		}
		backbone = form.row("Backbone (ONNX)", "Leave empty to train the CNN from scratch; or an ONNX image model whose features a head learns from",
				new TextField());
		backbone.setPromptText("none: train from scratch");
		var known = ProjectModels.list(context.modelDirectory()).stream().map(m -> m.file().toString()).toList();
		parent = form.row("Start from model", "Leave empty to train from scratch; or fine-tune a model Tessera trained "
				+ "(same classes, tile size and resolution), e.g. after correcting its review tiles: the new model records it as its parent",
				new ComboBox<>(FXCollections.observableArrayList(known)));
		parent.setEditable(true);
		parent.setMaxWidth(Double.MAX_VALUE);
		parent.setPromptText("none: train from scratch");
	}

	private static TableView<Map.Entry<String, Integer>> classTable(Map<String, Integer> counts) {
		var table = new TableView<Map.Entry<String, Integer>>(FXCollections.observableArrayList(counts.entrySet()));
		var name = new TableColumn<Map.Entry<String, Integer>, String>("Class");
		name.setCellValueFactory(e -> new SimpleStringProperty(e.getValue().getKey()));
		var count = new TableColumn<Map.Entry<String, Integer>, Integer>("Annotations");
		count.setCellValueFactory(e -> new SimpleObjectProperty<>(e.getValue().getValue()));
		table.getColumns().add(name);
		table.getColumns().add(count);
		table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
		table.setFixedCellSize(ROW);
		// The header and exactly one row per class: no empty rows below them.
		table.setPrefHeight(ROW * (counts.size() + 1) + 4);
		table.setMinHeight(table.getPrefHeight());
		return table;
	}

	/** @return the form */
	public GridPane pane() {
		return form.pane();
	}

	/** @return the training job the form describes: a {@link Training} or a {@link Segmentation} */
	public TrainingJob<?> job() {
		if (kind == Kind.PIXELS)
			return tiling.apply(Tessera.segmentation()).overlap(overlap.getValue()).minCoverage(minCoverage.getValue())
					.loss(loss.getValue()).epochs(epochs.getValue()).folds(folds.getValue()).seed(seed.getValue());
		var job = tiling.apply(Tessera.training()).epochs(epochs.getValue()).folds(folds.getValue()).seed(seed.getValue());
		String from = parent.getEditor().getText();
		if (from != null && !from.isBlank())
			job.from(from.strip());
		return backbone.getText().isBlank() ? job : job.backbone(backbone.getText().strip(), 0);
	}

	/** @return where the model will be written */
	public Path modelPath() {
		return Path.of(folder.getText()).resolve(name.getText().strip() + ProjectModels.EXTENSION);
	}

	/**
	 * Why the chosen settings cannot train, found before any work starts: cross-validation needs
	 * each class in at least as many groups (images, or annotations for one image) as folds.
	 * @return the problem, or empty when there is none
	 */
	public java.util.Optional<String> problem() {
		int k = folds.getValue();
		List<String> chosen = chosenImages();
		if (chosen.isEmpty())
			return java.util.Optional.of("Choose at least one image.");
		if (k == 1)
			return java.util.Optional.of("Cross-validation needs at least 2 folds (or 0 for none).");
		if (k == 0)
			return java.util.Optional.empty();
		if (chosen.size() > 1)
			return chosen.size() < k
					? java.util.Optional.of(k + " folds grouped by image need at least " + k + " images; " + chosen.size() + " are chosen.")
					: java.util.Optional.empty();
		return classCounts.entrySet().stream().filter(e -> e.getValue() < k).findFirst()
				.map(e -> k + " folds grouped by annotation need each class in at least " + k + " annotations; "
						+ e.getKey() + " has " + e.getValue() + ". Draw more, or choose fewer folds.");
	}

	/** @return the images chosen */
	public List<String> chosenImages() {
		return Form.checked(images);
	}
}
