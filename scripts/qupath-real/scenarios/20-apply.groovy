// Scenario 20-apply: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('apply') {
    def data = entry('slide-A').readImageData()
    int added = Tessera.application(modelPath).apply(data)
    def h = data.getHierarchy()
    println "INFO apply: ${added} objects added; hierarchy: ${h.getAnnotationObjects().size()} annotations, ${h.getTileObjects().size()} tiles, ${h.getDetectionObjects().size()} detections (tiles included)"
    expect(added == 256, "apply returned ${added}, expected 256 (4 annotations x 64 tiles of 32 px)")
    expect(h.getDetectionObjects().size() == 256, "${h.getDetectionObjects().size()} tile/detection objects in the hierarchy, expected 256")
    println "INFO apply: object types added: ${h.getDetectionObjects().countBy { it.getClass().getSimpleName() }}"
    boolean printed = false
    userAnnotations(data).each { a ->
        def tiles = tilesUnder(a)
        expect(tiles.size() == 64, "${tiles.size()} tiles below the ${a.getPathClass()} annotation at ${a.getROI().getBoundsX()},${a.getROI().getBoundsY()}, expected 64")
        def wrong = tiles.findAll { it.getPathClass() != a.getPathClass() }
        expect(wrong.isEmpty(), "${wrong.size()} tiles below a ${a.getPathClass()} annotation classified otherwise")
        tiles.each { t ->
            def m = measurements(t)
            def probabilities = m.findAll { k, v -> k.contains('Red') || k.contains('Blue') }
            if (!printed) { println "INFO apply: tile measurements ${m}; metadata ${t.getMetadata()}"; printed = true }
            if (probabilities.size() != 2 || Math.abs(probabilities.values().sum() - 1.0) > 1e-3)
                problems << "tile measurements ${m} are not two class probabilities summing to 1"
            // How unsure the prediction is: with two classes the margin is |p1 - p2|.
            def entropy = m['Tessera: uncertainty (entropy)'], margin = m['Tessera: top-2 margin']
            def p = probabilities.values().toList()
            if (entropy == null || entropy < 0 || entropy > 1 || margin == null || Math.abs(margin - Math.abs(p[0] - p[1])) > 1e-3)
                problems << "tile measurements ${m} lack a consistent uncertainty (entropy in [0, 1], margin |p1 - p2|)"
        }
    }
    // The image's out-of-distribution score against the training folds: a measurement of its root.
    def root = h.getRootObject()
    def score = measurements(root)['Tessera: out-of-distribution score']
    println "INFO apply: image measurements ${measurements(root)}"
    expect(score != null && Double.isFinite(score) && score >= 0,
            "the image's root has no finite out-of-distribution score measurement: ${measurements(root)}")
    def script = lastScript(data)
    println "INFO apply: workflow step script: ${script}"
    expect(script != null && script.startsWith('qupath.ext.tessera.Tessera.application('), "last workflow step ${script}")
    if (problems.size() > 6) problems = problems.take(6) + ["... ${problems.size() - 6} more"]
}
