// Scenario 35-segmentation: run after scenario-common.groovy (see scripts/qupath-real.sh).
// Trains a small U-Net pixel classifier on slide-A's four classified quadrants through Groovy,
// applies it, replays the recorded application step, and writes per-class heatmaps.

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

    // Heatmaps: one grey + alpha PNG per class, into the folder named; inside several annotations
    // one subfolder per annotation (its id); recorded in the step; nothing written when cancelled.
    def red = userAnnotations(data).find { it.getPathClass().toString() == 'Red' && !qupath.ext.tessera.ReviewObjects.isReviewObject(it) }
    def maps = new File(work, 'heatmaps/one')
    Tessera.application(segModel).heatmaps(maps.getAbsolutePath()).apply(data, [red])
    def names = (maps.list() ?: [] as String[]).toList().sort()
    println "INFO segmentation: heatmaps inside one annotation: ${names}"
    expect(names == ['Blue.png', 'Red.png'], "heatmap files ${names}")
    // Mean grey over the opaque pixels, and their share, of a grey + alpha map.
    def meanGrey = { File file ->
        def raster = javax.imageio.ImageIO.read(file).getRaster()
        expect(raster.getNumBands() == 2, "${file.name}: ${raster.getNumBands()} bands, not grey + alpha")
        double sum = 0
        int opaque = 0
        for (int y = 0; y < raster.getHeight(); y++)
            for (int x = 0; x < raster.getWidth(); x++)
                if (raster.getSample(x, y, 1) == 255) { sum += raster.getSample(x, y, 0); opaque++ }
        [sum / Math.max(1, opaque), opaque / (double) (raster.getWidth() * raster.getHeight())]
    }
    def (redGrey, redOpaque) = meanGrey(new File(maps, 'Red.png'))
    def (blueGrey, blueOpaque) = meanGrey(new File(maps, 'Blue.png'))
    println "INFO segmentation: inside a Red annotation: Red.png mean grey ${redGrey}, Blue.png ${blueGrey}, ${Math.round(100 * redOpaque)} % opaque"
    expect(redOpaque > 0.9 && redGrey > blueGrey, "Red.png ${redGrey} (${redOpaque} opaque), Blue.png ${blueGrey}")
    def heatmapScript = lastScript(data)
    expect(heatmapScript.contains(".heatmaps('${maps.getAbsolutePath()}')"), "apply step without its heatmaps: ${heatmapScript}")
    def all = new File(work, 'heatmaps/all')
    Tessera.application(segModel).heatmaps(all.getAbsolutePath()).apply(data)
    def folders = (all.list() ?: [] as String[]).toList().sort()
    def ids = userAnnotations(data).findAll { !qupath.ext.tessera.ReviewObjects.isReviewObject(it) }.collect { it.getID().toString() }.sort()
    println "INFO segmentation: heatmaps over the image: ${folders.size()} folders for ${ids.size()} annotations"
    expect(folders == ids, "heatmap folders ${folders}, annotation ids ${ids}")
    expect(folders.every { new File(all, it).list().toList().sort() == ['Blue.png', 'Red.png'] }, 'a folder lacks a class map')
    def cancelled = new File(work, 'heatmaps/cancelled')
    def token = new qupath.ext.tessera.bridge.CancellationToken()
    try {
        Tessera.application(segModel).heatmaps(cancelled.getAbsolutePath()).progress({ d, t, m -> token.cancel() } as qupath.ext.tessera.bridge.ProgressListener)
                .cancel(token).apply(data)
        expect(false, 'a cancelled application returned')
    } catch (qupath.ext.tessera.bridge.CancelledException e) {
        println "INFO segmentation: cancelled with heatmaps: ${cancelled.exists() ? 'folder left behind' : 'nothing written'}"
    } finally {
        token.close()
    }
    expect(!cancelled.exists(), "a cancelled application left ${cancelled}")
    expect(userAnnotations(data).collect { [it.getID(), it.getPathClass(), it.getROI().getGeometry().toText()] } == before,
            'the user annotations changed on replay')
    data.getServer().close()
}
