// Scenario 50-apply-twice: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('apply-twice') {
    def data = entry('slide-A').readImageData()
    def h = data.getHierarchy()
    int first = Tessera.application(modelPath).apply(data)
    int afterFirst = h.getDetectionObjects().size()
    int second = Tessera.application(modelPath).apply(data)
    int afterSecond = h.getDetectionObjects().size()
    def perAnnotation = userAnnotations(data).collect { tilesUnder(it).size() }
    println "INFO twice: first apply added ${first} (hierarchy ${afterFirst} tiles), second added ${second} (hierarchy ${afterSecond} tiles; per annotation ${perAnnotation})"
    expect(afterSecond == 256, "after applying twice the hierarchy holds ${afterSecond} tiles, expected 256 (the second apply replaces the first)")
    int kept = Tessera.application(modelPath).keepPrevious(true).apply(data)
    println "INFO twice: a third apply with keepPrevious(true) added ${kept}; hierarchy ${h.getDetectionObjects().size()} tiles"
    expect(h.getDetectionObjects().size() == afterSecond + 256, "keepPrevious(true): ${h.getDetectionObjects().size()} tiles, expected ${afterSecond + 256}")
}
