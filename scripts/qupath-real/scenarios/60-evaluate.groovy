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
