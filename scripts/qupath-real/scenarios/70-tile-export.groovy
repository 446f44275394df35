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

runScenario('tile-export') {
    def data = entry('slide-A').readImageData()
    def dir = new File(work, 'tiles')
    int written = Tessera.tileExport().tileSize(32).micronsPerPixel(0.5).export(data, dir.getAbsolutePath())
    def csv = new File(dir, 'tiles.csv')
    def rows = csv.isFile() ? csv.readLines() : []
    def header = rows ? rows[0].split(',') as List : []
    int imageColumn = header.indexOf('image')
    def names = rows.drop(1).collect { it.split(',')[imageColumn] }.unique()
    def pngs = []
    dir.eachFileRecurse { if (it.name.endsWith('.png')) pngs << it }
    println "INFO tile-export: ${written} tiles, ${pngs.size()} PNG files in ${pngs*.parentFile*.name.unique()}, tiles.csv ${rows.size()} rows, header ${header}"
    println "INFO tile-export: image-name column values: ${names} (entry 'slide-A', server path '${data.getServer().getPath()}')"
    expect(written == 256, "export returned ${written}, expected 256")
    expect(pngs.size() == 256, "${pngs.size()} PNG files, expected 256")
    expect(rows.size() == 257, "tiles.csv has ${rows.size()} rows, expected 257")
    expect(names == ['slide-A'], "tiles.csv names the image ${names}, not the project entry name slide-A")
    expect(lastScript(data)?.startsWith('qupath.ext.tessera.Tessera.tileExport()'), "last workflow step ${lastScript(data)}")
}
