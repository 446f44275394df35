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

runScenario('apply-twice') {
    def data = entry('slide-A').readImageData()
    def h = data.getHierarchy()
    int first = Tessera.application(modelPath).apply(data)
    int afterFirst = h.getTileObjects().size()
    int second = Tessera.application(modelPath).apply(data)
    int afterSecond = h.getTileObjects().size()
    def perAnnotation = userAnnotations(data).collect { tilesUnder(it).size() }
    println "INFO twice: first apply added ${first} (hierarchy ${afterFirst} tiles), second added ${second} (hierarchy ${afterSecond} tiles; per annotation ${perAnnotation})"
    expect(afterSecond == 256, "after applying twice the hierarchy holds ${afterSecond} tiles, expected 256 (the second apply replaces the first)")
    int kept = Tessera.application(modelPath).keepPrevious(true).apply(data)
    println "INFO twice: a third apply with keepPrevious(true) added ${kept}; hierarchy ${h.getTileObjects().size()} tiles"
    expect(h.getTileObjects().size() == afterSecond + 256, "keepPrevious(true): ${h.getTileObjects().size()} tiles, expected ${afterSecond + 256}")
}
