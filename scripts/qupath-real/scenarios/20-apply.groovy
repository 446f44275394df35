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

runScenario('apply') {
    def data = entry('slide-A').readImageData()
    int added = Tessera.application(modelPath).apply(data)
    def h = data.getHierarchy()
    println "INFO apply: ${added} objects added; hierarchy: ${h.getAnnotationObjects().size()} annotations, ${h.getTileObjects().size()} tiles, ${h.getDetectionObjects().size()} detections"
    expect(added == 256, "apply returned ${added}, expected 256 (4 annotations x 64 tiles of 32 px)")
    expect(h.getTileObjects().size() == 256, "${h.getTileObjects().size()} tile objects in the hierarchy, expected 256")
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
        }
    }
    def script = lastScript(data)
    println "INFO apply: workflow step script: ${script}"
    expect(script != null && script.startsWith('qupath.ext.tessera.Tessera.application('), "last workflow step ${script}")
    if (problems.size() > 6) problems = problems.take(6) + ["... ${problems.size() - 6} more"]
}
