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

runScenario('apply-chosen-annotations') {
    def data = entry('slide-A').readImageData()
    def all = userAnnotations(data)
    def chosen = [all.find { it.getPathClass().toString() == 'Red' }, all.find { it.getPathClass().toString() == 'Blue' }]
    int added = Tessera.application(modelPath).apply(data, chosen)
    println "INFO chosen: ${added} objects added; children per annotation ${all.collect { "${it.getPathClass()}${chosen.contains(it) ? '*' : ''}=${it.getChildObjects().size()}" }}"
    expect(added == 128, "apply returned ${added}, expected 128")
    all.each { a ->
        int n = tilesUnder(a).size()
        expect(n == (chosen.contains(a) ? 64 : 0), "${n} tiles below a ${chosen.contains(a) ? 'chosen' : 'not chosen'} ${a.getPathClass()} annotation")
    }
    def script = lastScript(data)
    println "INFO chosen: workflow step script: ${script}"
    expect(script != null && chosen.every { script.contains(it.getID().toString()) }, "the workflow step does not name the chosen annotations: ${script}")
}
