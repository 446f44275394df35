// Scenario 35-segmentation: run after scenario-common.groovy (see scripts/qupath-real.sh).
// Trains a small U-Net pixel classifier on slide-A's four classified quadrants through Groovy,
// applies it, and replays the recorded application step.

runScenario('segmentation') {
    def data = entry('slide-A').readImageData()
    def segModel = new File(work, 'models/regions.tessera').getAbsolutePath()
    new File(segModel).parentFile.mkdirs()
    def before = userAnnotations(data).collect { [it.getID(), it.getPathClass(), it.getROI().getGeometry().toText()] }
    def metrics = Tessera.segmentation().tileSize(64).micronsPerPixel(1).epochs(4).folds(2).seed(1)
            .loss('cross-entropy+dice').train(data, segModel)
    def cv = metrics.getAsJsonObject('cross_validation')
    double miou = cv.get('mean_iou').getAsDouble()
    println "INFO segmentation: cross-validation mean IoU ${miou}"
    expect(miou > 0.6, "cross-validation mean IoU ${miou} <= 0.6")
    def summary = ProjectModels.read(Path.of(segModel))
    def task = qupath.ext.tessera.bridge.PackageRecords.read(Path.of(segModel)).task()
    println "INFO segmentation: package task ${task}, classes ${summary.classes()}"
    expect(task == 'segmentation', "package task ${task}, not segmentation")
    expect(summary.classes() == ['Blue', 'Red'], "model classes ${summary.classes()}")
    def trainScript = lastScript(data)
    expect(trainScript != null && trainScript.startsWith('qupath.ext.tessera.Tessera.segmentation()'), "training step script ${trainScript}")
    expect(data.getHistoryWorkflow().getSteps()*.getName().contains('Tessera: train pixel classifier'), 'no training step in the workflow')

    int added = Tessera.application(segModel).apply(data)
    def regions = data.getHierarchy().getAnnotationObjects().findAll { (it.getName() ?: '').startsWith('Tessera: ') }
    println "INFO segmentation: ${added} objects added: ${regions.countBy { it.getPathClass().toString() }}"
    expect(added == regions.size() && added >= 4, "apply returned ${added} with ${regions.size()} region annotations")
    expect(regions.every { it.getPathClass().toString() in ['Blue', 'Red'] }, "region classes ${regions*.getPathClass()}")
    userAnnotations(data).each { a ->
        def own = a.getChildObjects().findAll { regions.contains(it) }
        double area = a.getROI().getArea()
        double same = own.findAll { it.getPathClass() == a.getPathClass() }.sum { it.getROI().getArea() } ?: 0
        double outside = own.sum { it.getROI().getGeometry().difference(a.getROI().getGeometry()).getArea() } ?: 0
        println "INFO segmentation: ${a.getPathClass()} annotation: ${own.size()} regions, ${Math.round(100 * same / area)} % of it its own class"
        expect(same > 0.8 * area, "${a.getPathClass()} annotation: its class covers ${same} of ${area} px")
        expect(outside < 1, "regions reach ${outside} px outside their annotation")
    }
    def after = userAnnotations(data).collect { [it.getID(), it.getPathClass(), it.getROI().getGeometry().toText()] }
    expect(after == before, 'the user annotations changed')

    def applyScript = lastScript(data)
    println "INFO segmentation: apply step script: ${applyScript}"
    expect(applyScript != null && applyScript.startsWith('qupath.ext.tessera.Tessera.application('), "apply step ${applyScript}")
    // Replays the recorded step (QuPath's getCurrentImageData() is this image here): it replaces
    // the regions rather than adding to them.
    def shell = new GroovyShell(Tessera.class.getClassLoader(), new Binding([data: data]))
    int replayed = shell.evaluate(applyScript.replace('getCurrentImageData()', 'data'))
    def again = data.getHierarchy().getAnnotationObjects().findAll { (it.getName() ?: '').startsWith('Tessera: ') }
    println "INFO segmentation: replay added ${replayed}; ${again.size()} region annotations now"
    expect(replayed == added && again.size() == added, "replay added ${replayed}, ${again.size()} regions now, expected ${added}")
    shell.parse(trainScript.replace('getCurrentImageData()', 'data'))
    expect(userAnnotations(data).collect { [it.getID(), it.getPathClass(), it.getROI().getGeometry().toText()] } == before,
            'the user annotations changed on replay')
    data.getServer().close()
}
