// Scenario 10-train: run after scenario-common.groovy (see scripts/qupath-real.sh).

runScenario('train') {
    def data = entry('slide-A').readImageData()
    new File(modelPath).parentFile.mkdirs()
    def metrics = Tessera.training().tileSize(32).micronsPerPixel(0.5).epochs(4).folds(2).seed(1).train(data, modelPath)
    def f1 = metrics.getAsJsonObject('cross_validation').get('mean_macro_f1').getAsDouble()
    println "INFO train: cross-validation mean macro-F1 ${f1}"
    expect(f1 > 0.9, "mean macro-F1 ${f1} <= 0.9")
    expect(new File(modelPath).isFile(), "no model written at ${modelPath}")
    def steps = data.getHistoryWorkflow().getSteps()*.getName()
    println "INFO train: workflow steps ${steps}; last script: ${lastScript(data)}"
    expect(steps.contains('Tessera: train tile classifier'), "no training step in the workflow: ${steps}")
    def summary = ProjectModels.read(Path.of(modelPath))
    println "INFO train: image names the model records: ${summary.images()} (entry 'slide-A', server path '${data.getServer().getPath()}')"
    expect(summary.images() == ['slide-A'], "the model records the image as ${summary.images()}, not as the project entry name [slide-A]")
    expect(summary.classes() == ['Blue', 'Red'], "model classes ${summary.classes()}")
    expect(data.getHierarchy().getDetectionObjects().isEmpty(), 'training added objects')
}
