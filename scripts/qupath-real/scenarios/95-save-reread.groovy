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

runScenario('save-and-reread') {
    def e = entry('slide-B')
    def data = e.readImageData()
    def h = data.getHierarchy()
    h.removeObjects(h.getTileObjects(), true)
    h.removeObjects(h.getAnnotationObjects().findAll { (it.getName() ?: '').startsWith('Tessera: ') }, true)
    int added = Tessera.application(modelPath).apply(data)
    def key = { t -> "${t.getROI().getBoundsX() as int},${t.getROI().getBoundsY() as int}".toString() }
    def before = h.getTileObjects().collectEntries { [(key(it)): [it.getPathClass()?.toString(), measurements(it), it.getMetadata() ? new TreeMap(it.getMetadata()) : [:], it.getParent()?.getPathClass()?.toString()]] }
    def stepsBefore = data.getHistoryWorkflow().getSteps()*.getName()
    e.saveImageData(data)
    data.getServer().close()

    def again = ProjectIO.loadProject(new File(work, 'project/project.qpproj'), BufferedImage.class)
            .getImageList().find { it.getImageName() == 'slide-B' }.readImageData()
    def h2 = again.getHierarchy()
    def after = h2.getTileObjects().collectEntries { [(key(it)): [it.getPathClass()?.toString(), measurements(it), it.getMetadata() ? new TreeMap(it.getMetadata()) : [:], it.getParent()?.getPathClass()?.toString()]] }
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
    println "INFO save: applying again to the re-read data leaves ${h2.getTileObjects().size()} tiles"
    expect(h2.getTileObjects().size() == 256, "applying again to the re-read data leaves ${h2.getTileObjects().size()} tiles, expected 256 (replaced)")
}
