// Scenario 90-project: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('project-train-and-apply') {
    def images = tproject.getImageList()
    def cohort = ProjectModels.path(tproject, 'cohort')
    def metrics = Tessera.training().tileSize(32).micronsPerPixel(0.5).epochs(3).folds(2).seed(3).trainOnProject(images, cohort.toString())
    def folds = metrics.getAsJsonObject('cross_validation').getAsJsonArray('folds').size()
    def summary = ProjectModels.read(cohort)
    println "INFO project: model ${cohort} (${cohort.toFile().isFile() ? 'written' : 'MISSING'}), ${folds} folds, classes ${summary.classes()}, image names recorded: ${summary.images()}"
    expect(cohort.toFile().isFile(), "no model at ${cohort}")
    expect(cohort.startsWith(new File(work, 'project').toPath()), "model not kept in the project: ${cohort}")
    expect(folds == 2, "${folds} cross-validation folds, expected 2 (grouped by image)")
    expect(summary.images() == ['slide-A', 'slide-B'], "the model records the images as ${summary.images()}, not as the project entry names")
    def listed = ProjectModels.list(ProjectModels.directory(tproject))*.name()
    expect(listed.contains('cohort'), "ProjectModels.list gives ${listed}")

    def results = Tessera.application(cohort.toString()).applyToProject(images)
    results.each { println "INFO project: applyToProject result ${it}" }
    expect(results*.image() == ['slide-A', 'slide-B'], "applyToProject names the images ${results*.image()}")
    expect(results*.objects() == [256, 256], "applyToProject added ${results*.objects()}")
    expect(results.every { it.error() == null }, "applyToProject errors ${results*.error()}")

    // re-read from disk: the saved data hold the results
    def reread = ProjectIO.loadProject(new File(work, 'project/project.qpproj'), BufferedImage.class)
    reread.getImageList().each { e ->
        def data = e.readImageData()
        def h = data.getHierarchy()
        def tiles = h.getDetectionObjects()
        def steps = data.getHistoryWorkflow().getSteps()*.getName()
        def withMeasurements = tiles.count { !it.getMeasurementList().isEmpty() }
        println "INFO project: re-read ${e.getImageName()}: ${tiles.size()} tiles (${withMeasurements} with measurements), per annotation ${userAnnotations(data).collect { tilesUnder(it).size() }}, steps ${steps}"
        expect(tiles.size() == 256, "${e.getImageName()} re-read holds ${tiles.size()} tiles, expected 256")
        expect(withMeasurements == tiles.size(), "${e.getImageName()}: ${tiles.size() - withMeasurements} tiles without measurements")
        expect(steps.contains('Tessera: apply model'), "${e.getImageName()}: no apply step saved: ${steps}")
        data.getServer().close()
    }
}
