// Scenario 40-apply-chosen: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('apply-chosen-annotations') {
    def data = entry('slide-A').readImageData()
    def all = userAnnotations(data)
    def chosen = [all.find { it.getPathClass().toString() == 'Red' }, all.find { it.getPathClass().toString() == 'Blue' }]
    int added = Tessera.application(modelPath).apply(data, chosen)
    println "INFO chosen: ${added} objects added; children per annotation ${all.collect { "${it.getPathClass()}${chosen.contains(it) ? '*' : ''}=${it.getChildObjects().size()}" }}"
    expect(added == 128, "apply returned ${added}, expected 128")
    all.each { a ->
        int n = tilesUnder(a).size()
        expect(n == (chosen.contains(a) ? 64 : 0), "${n} tiles below a ${chosen.contains(a) ? 'chosen' : 'not chosen'} ${a.getPathClass()} annotation")
    }
    def script = lastScript(data)
    println "INFO chosen: workflow step script: ${script}"
    expect(script != null && chosen.every { script.contains(it.getID().toString()) }, "the workflow step does not name the chosen annotations: ${script}")
}
