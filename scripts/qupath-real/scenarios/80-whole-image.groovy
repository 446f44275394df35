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

import qupath.lib.images.ImageData
import qupath.lib.images.servers.ImageServerProvider

runScenario('whole-image-without-annotations') {
    // red left half, near-white right half; no annotations, not in the project
    def file = new File(work, 'images/red-grey-c.tif')
    def server = ImageServerProvider.buildServer(file.getAbsolutePath(), BufferedImage.class)
    def data = new ImageData<BufferedImage>(server)
    int added = Tessera.application(modelPath).apply(data)
    def h = data.getHierarchy()
    def tiles = h.getTileObjects()
    def atRoot = tiles.findAll { it.getParent() != null && it.getParent().isRootObject() }
    def inRedHalf = tiles.findAll { it.getROI().getBoundsX() < 256 }
    println "INFO whole-image: ${added} added, ${tiles.size()} tiles (${atRoot.size()} at the root, ${inRedHalf.size()} in the tissue half), classes ${tiles.countBy { it.getPathClass()?.toString() }}"
    expect(added == 128, "apply returned ${added}, expected 128 (the tissue half)")
    expect(atRoot.size() == tiles.size() && !tiles.isEmpty(), "${tiles.size() - atRoot.size()} tiles not at the root")
    expect(inRedHalf.size() == tiles.size(), "${tiles.size() - inRedHalf.size()} tiles outside the tissue")
    expect(h.getAnnotationObjects().isEmpty(), 'annotations were added')
    println "INFO whole-image: workflow step script: ${lastScript(data)}"
    server.close()
}
