package qupath.ext.tessera.gui;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import qupath.ext.tessera.bridge.PackageRecords;
import qupath.ext.tessera.bridge.PackageRecords.ClassReport;
import qupath.ext.tessera.bridge.PackageRecords.Confusion;
import qupath.ext.tessera.bridge.PackageRecords.CrossValidation;
import qupath.ext.tessera.bridge.PackageRecords.Epoch;
import qupath.ext.tessera.bridge.PackageRecords.Metric;
import qupath.ext.tessera.bridge.PackageRecords.Report;

/**
 * A model's results: the headline metrics with their 95 % intervals, a per-class table
 * (precision, recall, F1, support, ROC AUC), the confusion matrix, the per-epoch training curves
 * and, when the report has them, the ROC curves. A pixel classifier's report is shown in its own
 * terms: mean IoU, mean Dice and pixel accuracy with their intervals, per class IoU, Dice,
 * precision, recall and labelled pixels, the pixel confusion matrix, and the validation mean IoU
 * as the training curve.
 */
public final class ResultsView {

	/** Height of a row of the classes table. */
	private static final double ROW = 26;

	final Label summary = new Label();
	final TableView<ClassReport> classes = new TableView<>();
	final GridPane confusion = new GridPane();
	final LineChart<Number, Number> curves;
	final LineChart<Number, Number> roc;
	private final VBox pane;

	/**
	 * @param report an evaluation report ({@code metrics.json}, or a package's {@code final_hold_out})
	 * @param crossValidation the package's cross-validation, or null
	 * @param history the per-epoch training records, or null
	 */
	public ResultsView(Report report, CrossValidation crossValidation, List<Epoch> history) {
		summary.setText(summaryText(report, crossValidation));
		summary.setWrapText(true);
		List<ClassReport> rows = report.classes();
		classes.setItems(FXCollections.observableArrayList(rows));
		classes.getColumns().add(column("Class", ClassReport::name));
		if (report.pixels()) {
			classes.getColumns().add(column("IoU", row -> row.iou() == null ? "–" : decimal(row.iou())));
			classes.getColumns().add(column("Dice", row -> decimal(row.f1())));
		}
		classes.getColumns().add(column("precision", row -> decimal(row.precision())));
		classes.getColumns().add(column("recall", row -> decimal(row.recall())));
		if (!report.pixels())
			classes.getColumns().add(column("f1", row -> decimal(row.f1())));
		classes.getColumns().add(column(report.pixels() ? "pixels" : "support", row -> Long.toString(row.support())));
		if (!report.pixels())
			classes.getColumns().add(column("roc auc", row -> row.rocAuc() == null ? "–" : decimal(row.rocAuc())));
		// The header and exactly one row per class: no empty row below them.
		classes.setFixedCellSize(ROW);
		classes.setPrefHeight(ROW * (rows.size() + 1) + 4);
		classes.setMinHeight(classes.getPrefHeight());
		classes.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
		fillConfusion(report.confusion(), rows.stream().map(ClassReport::name).toList());
		curves = history == null ? null : curves(history, report.pixels());
		roc = roc(rows);
		var plots = new HBox(16, new VBox(4, new Label((report.pixels() ? "Pixel confusion" : "Confusion") + " (rows: truth)"),
				confusion));
		for (var chart : new LineChart<?, ?>[] {curves, roc})
			if (chart != null)
				plots.getChildren().add(chart);
		pane = new VBox(10, summary, classes, plots);
		pane.setPadding(new Insets(12));
	}

	/**
	 * @param model a model package
	 * @return the results its metrics record (its final hold-out, cross-validation and training
	 *         history), or null when it records none (an imported model)
	 */
	public static ResultsView of(PackageRecords.Package model) {
		var metrics = model.metrics();
		if (metrics == null || metrics.finalHoldOut() == null)
			return null;
		return new ResultsView(metrics.finalHoldOut(), metrics.crossValidation(),
				model.training() == null ? null : model.training().history());
	}

	/** @return the view */
	public VBox pane() {
		return pane;
	}

	private static String summaryText(Report report, CrossValidation crossValidation) {
		if (report.pixels())
			return pixelSummary(report, crossValidation);
		String text = String.format(Locale.ROOT, "%d tiles · macro-F1 %s · balanced accuracy %s · accuracy %s",
				report.tiles(), metric(report.macroF1()), metric(report.balancedAccuracy()), metric(report.accuracy()));
		if (crossValidation != null)
			text += String.format(Locale.ROOT, "%nCross-validation (%d folds): mean macro-F1 %.3f",
					crossValidation.folds().size(), crossValidation.meanMacroF1());
		return text;
	}

	private static String pixelSummary(Report report, CrossValidation crossValidation) {
		String text = String.format(Locale.ROOT, "%d labelled pixels · mean IoU %s · mean Dice %s · pixel accuracy %s",
				report.tiles(), metric(report.meanIou()), metric(report.macroF1()), metric(report.accuracy()));
		if (crossValidation != null && crossValidation.meanIou() != null)
			text += String.format(Locale.ROOT, "%nCross-validation (%d folds): mean IoU %.3f · mean Dice %.3f",
					crossValidation.folds().size(), crossValidation.meanIou(), crossValidation.meanMacroF1());
		return text;
	}

	private static String metric(Metric metric) {
		return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", metric.value(), metric.ci95().low(), metric.ci95().high());
	}

	private static String decimal(double value) {
		return String.format(Locale.ROOT, "%.3f", value);
	}

	private static TableColumn<ClassReport, String> column(String title, Function<ClassReport, String> text) {
		var column = new TableColumn<ClassReport, String>(title);
		column.setCellValueFactory(row -> new SimpleStringProperty(text.apply(row.getValue())));
		return column;
	}

	private void fillConfusion(Confusion matrix, List<String> names) {
		int k = names.size();
		long[] counts = matrix.counts();
		confusion.setHgap(2);
		confusion.setVgap(2);
		for (int i = 0; i < k; i++) {
			confusion.add(new Label(names.get(i)), 0, i + 1);
			confusion.add(new Label(names.get(i)), i + 1, 0);
			long rowTotal = 0;
			for (int j = 0; j < k; j++)
				rowTotal += counts[i * k + j];
			for (int j = 0; j < k; j++) {
				long n = counts[i * k + j];
				var cell = new Label(Long.toString(n));
				cell.setMinSize(48, 28);
				cell.setAlignment(Pos.CENTER);
				double share = rowTotal == 0 ? 0 : (double) n / rowTotal;
				cell.setStyle(String.format(Locale.ROOT, "-fx-background-color: rgba(40,90,200,%.2f); -fx-text-fill: %s;",
						0.1 + 0.85 * share, share > 0.5 ? "white" : "black"));
				confusion.add(cell, j + 1, i + 1);
			}
		}
	}

	/** The training loss and the validation score per epoch: mean IoU for a pixel classifier, else macro-F1. */
	private static LineChart<Number, Number> curves(List<Epoch> history, boolean pixels) {
		var chart = new LineChart<Number, Number>(new NumberAxis(), new NumberAxis());
		chart.setTitle("Training");
		chart.getXAxis().setLabel("epoch");
		var loss = new XYChart.Series<Number, Number>();
		loss.setName("training loss");
		var score = new XYChart.Series<Number, Number>();
		score.setName(pixels ? "validation mean IoU" : "validation macro-F1");
		for (var epoch : history) {
			loss.getData().add(new XYChart.Data<>(epoch.epoch(), epoch.trainLoss()));
			Double value = pixels ? epoch.validationMeanIou() : Double.valueOf(epoch.validationMacroF1());
			if (value != null)
				score.getData().add(new XYChart.Data<>(epoch.epoch(), value));
		}
		chart.getData().add(loss);
		chart.getData().add(score);
		chart.setPrefSize(360, 260);
		return chart;
	}

	/** ROC curves from each class's ROC points, or null when the report has none. */
	private static LineChart<Number, Number> roc(List<ClassReport> rows) {
		if (rows.stream().allMatch(r -> r.rocCurve() == null))
			return null;
		var chart = new LineChart<Number, Number>(new NumberAxis(0, 1, 0.25), new NumberAxis(0, 1, 0.25));
		chart.setTitle("ROC (one vs rest)");
		chart.setCreateSymbols(false);
		chart.getXAxis().setLabel("false positive rate");
		chart.getYAxis().setLabel("true positive rate");
		for (var row : rows) {
			if (row.rocCurve() == null)
				continue;
			var series = new XYChart.Series<Number, Number>();
			series.setName(row.name());
			for (double[] point : row.rocCurve())
				series.getData().add(new XYChart.Data<>(point[0], point[1]));
			chart.getData().add(series);
		}
		chart.setPrefSize(320, 260);
		return chart;
	}
}
