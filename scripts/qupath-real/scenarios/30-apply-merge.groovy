// Scenario 30-apply-merge: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('apply-merge-classes') {
    def data = entry('slide-A').readImageData()
    int added = Tessera.application(modelPath).mergeClasses(true).apply(data)
    def h = data.getHierarchy()
    println "INFO merge: ${added} objects added; hierarchy: ${h.getAnnotationObjects().size()} annotations, ${h.getDetectionObjects().size()} tiles"
    expect(added == 260, "apply returned ${added}, expected 256 tiles + 4 class annotations")
    expect(h.getAnnotationObjects().size() == 8, "${h.getAnnotationObjects().size()} annotations, expected 4 drawn + 4 merged")
    userAnnotations(data).each { a ->
        def merged = a.getChildObjects().findAll { it.isAnnotation() }
        def direct = tilesUnder(a)
        println "INFO merge: ${a.getPathClass()} annotation at ${a.getROI().getBoundsX()},${a.getROI().getBoundsY()}: children ${a.getChildObjects().size()} (${merged.size()} annotations ${merged*.getName()}, ${direct.size()} tiles directly); tiles below each merged: ${merged.collect { tilesUnder(it).size() }}"
        expect(merged.size() == 1, "${merged.size()} merged annotations below a ${a.getPathClass()} annotation, expected 1")
        expect(direct.isEmpty(), "${direct.size()} tiles directly below a drawn annotation (they should be below its merged class annotation)")
        if (merged.size() == 1) {
            def m = merged[0]
            expect(m.getName() == "Tessera: ${a.getPathClass()}".toString(), "merged annotation named '${m.getName()}'")
            expect(m.getPathClass() == a.getPathClass(), "merged annotation classified ${m.getPathClass()}")
            expect(Math.abs(m.getROI().getArea() - a.getROI().getArea()) < 1e-6, "merged area ${m.getROI().getArea()} != ${a.getROI().getArea()}")
            expect(tilesUnder(m).size() == 64, "the merged ${m.getPathClass()} annotation holds ${tilesUnder(m).size()} tiles, expected 64")
        }
    }
    def evaluated = Tessera.evaluation(modelPath).evaluate(data).get('tiles').getAsInt()
    println "INFO merge: evaluation afterwards scores ${evaluated} tiles"
    expect(evaluated == 256, "evaluation after merging tiles ${evaluated} tiles, expected 256 (merged class annotations are never tiled)")
}
