// Scenario 95-save-reread: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('save-and-reread') {
    def e = entry('slide-B')
    def data = e.readImageData()
    def h = data.getHierarchy()
    h.removeObjects(h.getDetectionObjects(), true)
    h.removeObjects(h.getAnnotationObjects().findAll { (it.getName() ?: '').startsWith('Tessera: ') }, true)
    int added = Tessera.application(modelPath).apply(data)
    def key = { t -> "${t.getROI().getBoundsX() as int},${t.getROI().getBoundsY() as int}".toString() }
    def before = h.getDetectionObjects().collectEntries { [(key(it)): [it.getPathClass()?.toString(), measurements(it), it.getMetadata() ? new TreeMap(it.getMetadata()) : [:], it.getParent()?.getPathClass()?.toString()]] }
    def stepsBefore = data.getHistoryWorkflow().getSteps()*.getName()
    e.saveImageData(data)
    data.getServer().close()

    def again = ProjectIO.loadProject(new File(work, 'project/project.qpproj'), BufferedImage.class)
            .getImageList().find { it.getImageName() == 'slide-B' }.readImageData()
    def h2 = again.getHierarchy()
    def after = h2.getDetectionObjects().collectEntries { [(key(it)): [it.getPathClass()?.toString(), measurements(it), it.getMetadata() ? new TreeMap(it.getMetadata()) : [:], it.getParent()?.getPathClass()?.toString()]] }
    def stepsAfter = again.getHistoryWorkflow().getSteps()*.getName()
    println "INFO save: ${added} added; saved ${before.size()} tiles, re-read ${after.size()}; a tile before ${before.values().first()}, after ${after.values() ? after.values().first() : null}"
    println "INFO save: workflow steps before ${stepsBefore}, after ${stepsAfter}"
    expect(added == 256, "apply returned ${added}")
    expect(after.size() == before.size(), "${after.size()} tiles re-read, ${before.size()} saved")
    def differing = before.keySet().findAll { before[it] != after[it] }
    expect(differing.isEmpty(), "${differing.size()} tiles differ after re-reading (class, measurements, metadata or parent), e.g. ${differing ? before[differing[0]] : ''} -> ${differing ? after[differing[0]] : ''}")
    expect(stepsAfter == stepsBefore, "workflow steps ${stepsBefore} saved, ${stepsAfter} re-read")
    // the re-read results are recognised as Tessera's: applying again replaces them
    Tessera.application(modelPath).apply(again)
    println "INFO save: applying again to the re-read data leaves ${h2.getDetectionObjects().size()} tiles"
    expect(h2.getDetectionObjects().size() == 256, "applying again to the re-read data leaves ${h2.getDetectionObjects().size()} tiles, expected 256 (replaced)")
}
