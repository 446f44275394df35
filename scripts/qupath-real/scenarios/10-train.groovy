// Real-QuPath scenario, run by QuPath's own `script` command with the Tessera jar in the user
// directory's extensions folder (see scripts/qupath-real.sh); args[0] = the work folder that
// 00-setup.groovy filled. Prints INFO lines, then PASS or FAIL with every failed expectation;
// throws on failure so that the command exits non-zero.
import java.awt.image.BufferedImage
import java.nio.file.Path
import qupath.ext.tessera.ProjectModels
import qupath.ext.tessera.Tessera
import qupath.lib.projects.ProjectIO

work = new File(args[0])
tproject = ProjectIO.loadProject(new File(work, 'project/project.qpproj'), BufferedImage.class)
modelPath = new File(work, 'models/red-blue.tessera').getAbsolutePath()
problems = []
entry = { String name ->
    def e = tproject.getImageList().find { it.getImageName() == name }
    if (e == null) throw new IllegalStateException('no project entry ' + name)
    e
}
expect = { boolean ok, String message -> if (!ok) problems << message }
userAnnotations = { data -> data.getHierarchy().getAnnotationObjects().findAll { !(it.getName() ?: '').startsWith('Tessera: ') }
        .sort { a, b -> a.getROI().getBoundsX() <=> b.getROI().getBoundsX() ?: a.getROI().getBoundsY() <=> b.getROI().getBoundsY() } }
tilesUnder = { parent -> parent.getChildObjects().findAll { it.isTile() } }
measurements = { object -> object.getMeasurementList().getNames().collectEntries { [(it): object.getMeasurementList().get(it)] } }
lastScript = { data -> data.getHistoryWorkflow().getSteps() ? data.getHistoryWorkflow().getLastStep().getScript() : null }
runScenario = { String scenario, Closure body ->
    try {
        body()
    } catch (Throwable e) {
        problems << "${e.getClass().getSimpleName()}: ${e.getMessage()}"
        e.printStackTrace()
    }
    if (problems) {
        println "FAIL ${scenario}: ${problems.join(' | ')}"
        throw new AssertionError("${scenario}: ${problems.join(' | ')}")
    }
    println "PASS ${scenario}"
}

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
