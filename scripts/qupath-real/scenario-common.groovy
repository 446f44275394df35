// Shared by every scenario after 00-setup: scripts/qupath-real.sh runs each one as this file
// followed by the scenario's own lines, through QuPath's own `script` command with the Tessera jar
// in the user directory's extensions folder; args[0] = the work folder 00-setup.groovy filled.
// A scenario prints INFO lines, then PASS or FAIL with every failed expectation, and throws on
// failure so that the command exits non-zero.
import java.awt.image.BufferedImage
import java.nio.file.Path
import qupath.ext.tessera.ProjectModels
import qupath.ext.tessera.Tessera
import qupath.lib.images.ImageData
import qupath.lib.images.servers.ImageServerProvider
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
// result objects: detections (QuPath tile objects are detections too)
tilesUnder = { parent -> parent.getChildObjects().findAll { it.isDetection() } }
measurements = { object -> object.getMeasurementList().getNames().collectEntries { [(it): object.getMeasurementList().get(it)] } }
lastScript = { data -> data.getHistoryWorkflow().getSteps() ? data.getHistoryWorkflow().getLastStep().getScript() : null }
runScenario = { String scenario, Closure body ->
    try {
        body()
    } catch (Throwable e) {
        problems << "${e.getClass().getSimpleName()}: ${e.getMessage()}"
        e.printStackTrace()
    }
    problems = problems.unique()
    if (problems) {
        println "FAIL ${scenario}: ${problems.join(' | ')}"
        throw new IllegalStateException("${scenario}: ${problems.join(' | ')}")
    }
    println "PASS ${scenario}"
}
