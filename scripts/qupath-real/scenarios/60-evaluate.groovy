// Scenario 60-evaluate: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('evaluate') {
    def data = entry('slide-B').readImageData()
    def h = data.getHierarchy()
    int before = h.getAllObjects(false).size()
    def report = new File(work, 'reports/slide-B')
    def metrics = Tessera.evaluation(modelPath).report(report.getAbsolutePath()).evaluate(data)
    int tiles = metrics.get('tiles').getAsInt()
    double f1 = metrics.getAsJsonObject('macro_f1').get('value').getAsDouble()
    println "INFO evaluate: slide-B (not trained on): ${tiles} tiles, macro-F1 ${f1}; metrics.json ${new File(report, 'metrics.json').length()} bytes"
    expect(new File(report, 'metrics.json').isFile(), 'no metrics.json written')
    expect(tiles == 256, "${tiles} tiles scored, expected 256")
    expect(f1 > 0.9, "macro-F1 ${f1} <= 0.9")
    expect(h.getAllObjects(false).size() == before, "evaluation changed the number of objects: ${before} -> ${h.getAllObjects(false).size()}")
    def steps = data.getHistoryWorkflow().getSteps()*.getName()
    expect(steps.contains('Tessera: evaluate model'), "no evaluation step in the workflow: ${steps}")
}
