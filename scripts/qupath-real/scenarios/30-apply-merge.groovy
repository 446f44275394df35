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

runScenario('apply-merge-classes') {
    def data = entry('slide-A').readImageData()
    int added = Tessera.application(modelPath).mergeClasses(true).apply(data)
    def h = data.getHierarchy()
    println "INFO merge: ${added} objects added; hierarchy: ${h.getAnnotationObjects().size()} annotations, ${h.getTileObjects().size()} tiles"
    expect(added == 260, "apply returned ${added}, expected 256 tiles + 4 class annotations")
    expect(h.getAnnotationObjects().size() == 8, "${h.getAnnotationObjects().size()} annotations, expected 4 drawn + 4 merged")
    userAnnotations(data).each { a ->
        def merged = a.getChildObjects().findAll { it.isAnnotation() }
        def direct = tilesUnder(a)
        println "INFO merge: ${a.getPathClass()} annotation at ${a.getROI().getBoundsX()},${a.getROI().getBoundsY()}: children ${a.getChildObjects().size()} (${merged.size()} annotations ${merged*.getName()}, ${direct.size()} tiles directly); tiles below each merged: ${merged.collect { tilesUnder(it).size() }}"
        expect(merged.size() == 1, "${merged.size()} merged annotations below a ${a.getPathClass()} annotation, expected 1")
        expect(direct.isEmpty(), "${direct.size()} tiles directly below a drawn annotation (they should be below its merged class annotation)")
        if (merged.size() == 1) {
            def m = merged[0]
            expect(m.getName() == "Tessera: ${a.getPathClass()}".toString(), "merged annotation named '${m.getName()}'")
            expect(m.getPathClass() == a.getPathClass(), "merged annotation classified ${m.getPathClass()}")
            expect(Math.abs(m.getROI().getArea() - a.getROI().getArea()) < 1e-6, "merged area ${m.getROI().getArea()} != ${a.getROI().getArea()}")
            expect(tilesUnder(m).size() == 64, "the merged ${m.getPathClass()} annotation holds ${tilesUnder(m).size()} tiles, expected 64")
        }
    }
    def evaluated = Tessera.evaluation(modelPath).evaluate(data).get('tiles').getAsInt()
    println "INFO merge: evaluation afterwards scores ${evaluated} tiles"
    expect(evaluated == 256, "evaluation after merging tiles ${evaluated} tiles, expected 256 (merged class annotations are never tiled)")
}
