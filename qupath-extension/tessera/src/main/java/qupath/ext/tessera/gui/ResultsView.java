package qupath.ext.tessera.gui;

import java.util.List;
import java.util.Locale;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

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

/**
 * A model's results: the headline metrics with their 95 % intervals, a per-class table
 * (precision, recall, F1, support, ROC AUC), the confusion matrix, the per-epoch training curves
 * and, when the report has them, the ROC curves.
 */
public final class ResultsView {

	final Label summary = new Label();
	final TableView<JsonObject> classes = new TableView<>();
	final GridPane confusion = new GridPane();
	final LineChart<Number, Number> curves;
	final LineChart<Number, Number> roc;
	private final VBox pane;

	/**
	 * @param report an evaluation report ({@code metrics.json}, or a package's {@code final_hold_out})
	 * @param crossValidation the package's cross-validation summary, or null
	 * @param history the per-epoch training records, or null
	 */
	public ResultsView(JsonObject report, JsonObject crossValidation, JsonArray history) {
		summary.setText(summaryText(report, crossValidation));
		summary.setWrapText(true);
		List<JsonObject> rows = report.getAsJsonArray("classes").asList().stream().map(JsonElement::getAsJsonObject).toList();
		classes.setItems(FXCollections.observableArrayList(rows));
		for (String key : List.of("name", "precision", "recall", "f1", "support", "roc_auc"))
			classes.getColumns().add(column(key));
		classes.setPrefHeight(28 * (rows.size() + 1) + 6);
		classes.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
		fillConfusion(report.getAsJsonObject("confusion"), rows.stream().map(r -> r.get("name").getAsString()).toList());
		curves = history == null ? null : curves(history);
		roc = roc(rows);
		var plots = new HBox(16, new VBox(4, new Label("Confusion (rows: truth)"), confusion));
		for (var chart : new LineChart<?, ?>[] {curves, roc})
			if (chart != null)
				plots.getChildren().add(chart);
		pane = new VBox(10, summary, classes, plots);
		pane.setPadding(new Insets(12));
	}

	/** @return the view */
	public VBox pane() {
		return pane;
	}

	private static String summaryText(JsonObject report, JsonObject crossValidation) {
		String text = String.format(Locale.ROOT, "%d tiles · macro-F1 %s · balanced accuracy %s · accuracy %s",
				report.get("tiles").getAsInt(), metric(report, "macro_f1"), metric(report, "balanced_accuracy"),
				metric(report, "accuracy"));
		if (crossValidation != null)
			text += String.format(Locale.ROOT, "%nCross-validation (%d folds): mean macro-F1 %.3f",
					crossValidation.getAsJsonArray("folds").size(), crossValidation.get("mean_macro_f1").getAsDouble());
		return text;
	}

	private static String metric(JsonObject report, String key) {
		var metric = report.getAsJsonObject(key);
		var ci = metric.getAsJsonObject("ci95");
		return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", metric.get("value").getAsDouble(),
				ci.get("low").getAsDouble(), ci.get("high").getAsDouble());
	}

	private static TableColumn<JsonObject, String> column(String key) {
		var column = new TableColumn<JsonObject, String>(key.equals("name") ? "Class" : key.replace("_", " "));
		column.setCellValueFactory(row -> {
			var value = row.getValue().get(key);
			String text = value == null || value.isJsonNull() ? "–"
					: value.getAsJsonPrimitive().isNumber() && !key.equals("support")
							? String.format(Locale.ROOT, "%.3f", value.getAsDouble())
							: value.getAsString();
			return new SimpleStringProperty(text);
		});
		return column;
	}

	private void fillConfusion(JsonObject matrix, List<String> names) {
		int k = names.size();
		JsonArray counts = matrix.getAsJsonArray("counts");
		confusion.setHgap(2);
		confusion.setVgap(2);
		for (int i = 0; i < k; i++) {
			confusion.add(new Label(names.get(i)), 0, i + 1);
			confusion.add(new Label(names.get(i)), i + 1, 0);
			long rowTotal = 0;
			for (int j = 0; j < k; j++)
				rowTotal += counts.get(i * k + j).getAsLong();
			for (int j = 0; j < k; j++) {
				long n = counts.get(i * k + j).getAsLong();
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

	private static LineChart<Number, Number> curves(JsonArray history) {
		var chart = new LineChart<Number, Number>(new NumberAxis(), new NumberAxis());
		chart.setTitle("Training");
		chart.getXAxis().setLabel("epoch");
		var loss = new XYChart.Series<Number, Number>();
		loss.setName("training loss");
		var f1 = new XYChart.Series<Number, Number>();
		f1.setName("validation macro-F1");
		for (var record : history.asList()) {
			var epoch = record.getAsJsonObject();
			loss.getData().add(new XYChart.Data<>(epoch.get("epoch").getAsInt(), epoch.get("train_loss").getAsDouble()));
			f1.getData().add(new XYChart.Data<>(epoch.get("epoch").getAsInt(), epoch.get("validation_macro_f1").getAsDouble()));
		}
		chart.getData().add(loss);
		chart.getData().add(f1);
		chart.setPrefSize(360, 260);
		return chart;
	}

	/** ROC curves from each class's {@code roc_curve} ({@code [fpr, tpr]} points), or null when the report has none. */
	private static LineChart<Number, Number> roc(List<JsonObject> rows) {
		if (rows.stream().noneMatch(r -> r.has("roc_curve") && r.get("roc_curve").isJsonArray()))
			return null;
		var chart = new LineChart<Number, Number>(new NumberAxis(0, 1, 0.25), new NumberAxis(0, 1, 0.25));
		chart.setTitle("ROC (one vs rest)");
		chart.setCreateSymbols(false);
		chart.getXAxis().setLabel("false positive rate");
		chart.getYAxis().setLabel("true positive rate");
		for (var row : rows) {
			if (!row.has("roc_curve") || !row.get("roc_curve").isJsonArray())
				continue;
			var series = new XYChart.Series<Number, Number>();
			series.setName(row.get("name").getAsString());
			for (var point : row.getAsJsonArray("roc_curve")) {
				var xy = point.getAsJsonArray();
				series.getData().add(new XYChart.Data<>(xy.get(0).getAsDouble(), xy.get(1).getAsDouble()));
			}
			chart.getData().add(series);
		}
		chart.setPrefSize(320, 260);
		return chart;
	}
}
