// Scenario 27-review: run after scenario-common.groovy (see scripts/qupath-real.sh).
// The human-in-the-loop in real QuPath: apply, find tiles to review (by uncertainty, then by
// loss), classify some review objects, fine-tune from the parent model, check the lineage, that
// the user's annotations are unchanged, the workflow steps, the saved data and a replay; then a
// find over a copy of the project.
import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.util.zip.ZipFile
import com.google.gson.JsonParser
import qupath.ext.tessera.ReviewObjects

if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

// The user's own annotations as they stand: id, class, bounds (never changed by a review).
userDrawn = { data -> data.getHierarchy().getAnnotationObjects().findAll { !ReviewObjects.isReviewObject(it) }
        .collect { "${it.getID()} ${it.getPathClass()} ${it.getROI().getBoundsX()},${it.getROI().getBoundsY()} ${it.getROI().getBoundsWidth()}x${it.getROI().getBoundsHeight()}" }
        .sort() }
reviewText = { r -> "${r.getName()} @${r.getROI().getBoundsX()},${r.getROI().getBoundsY()}" }
replayStep = { String script, data ->
    new GroovyShell(this.class.classLoader, new Binding([getCurrentImageData: { -> data }])).evaluate(script)
}

runScenario('review') {
    def data = entry('slide-A').readImageData()
    Tessera.application(modelPath).apply(data)
    def before = userDrawn(data)
    def h = data.getHierarchy()

    def found = Tessera.review().count(6).by('uncertainty').find(data)
    def findScript = lastScript(data)
    println "INFO review: by uncertainty ${found.collect { reviewText(it) + ' score ' + ReviewObjects.score(it) }}"
    expect(found.size() == 6, "find added ${found.size()} review objects, expected 6")
    expect(found.every { it.isAnnotation() && it.getPathClass() == null && it.getParent() == h.getRootObject() },
            "review objects are not all unclassified annotations at the root: ${found.collect { [it.getClass().getSimpleName(), it.getPathClass(), it.getParent()] }}")
    expect(found.withIndex().every { r, i -> r.getName() ==~ /Tessera review ${i + 1}: (Red|Blue)\?/ }, "names ${found*.getName()}")
    def entropies = h.getTileObjects().collect { it.getMeasurementList().get('Tessera: uncertainty (entropy)') }
    expect(Math.abs(ReviewObjects.score(found[0]) - entropies.max()) < 1e-6,
            "the first pick's score ${ReviewObjects.score(found[0])} is not the highest entropy ${entropies.max()}")
    expect(findScript == "qupath.ext.tessera.Tessera.review().count(6).by('uncertainty').find(getCurrentImageData())", "find step ${findScript}")
    def spreadX = found.collect { it.getROI().getBoundsX() }.unique().size()
    println "INFO review: picks lie in ${spreadX} different columns"

    // The recorded step replays: the same tiles on a fresh copy of the image.
    def again = entry('slide-A').readImageData()
    Tessera.application(modelPath).apply(again)
    replayStep(findScript, again)
    def replayed = ReviewObjects.all(again).collect { reviewText(it) }
    expect(replayed == found.collect { reviewText(it) }, "the replayed find picked ${replayed}, not ${found.collect { reviewText(it) }}")
    again.getServer().close()

    def byLoss = Tessera.review().count(4).by('loss').find(data)
    println "INFO review: by loss ${byLoss.collect { reviewText(it) + ' score ' + ReviewObjects.score(it) }}"
    expect(byLoss.size() == 4 && ReviewObjects.all(data).size() == 4, "the loss find left ${ReviewObjects.all(data).size()} review objects, expected its 4 (the waiting ones replaced)")

    // Accept one, correct another, leave the rest waiting.
    def accepted = byLoss[0], corrected = byLoss[1]
    Tessera.review().classify(data, accepted.getName(), null)
    def other = ReviewObjects.predicted(corrected) == 'Red' ? 'Blue' : 'Red'
    Tessera.review().classify(data, corrected.getName(), other)
    def classifyScript = lastScript(data)
    expect(accepted.getPathClass()?.toString() == ReviewObjects.predicted(accepted), "accepted review object has class ${accepted.getPathClass()}")
    expect(corrected.getPathClass()?.toString() == other, "corrected review object has class ${corrected.getPathClass()}, expected ${other}")
    expect(classifyScript == "qupath.ext.tessera.Tessera.review().classify(getCurrentImageData(), '${corrected.getName()}', '${other}')", "classify step ${classifyScript}")
    expect(userDrawn(data) == before, "the user's annotations changed: ${before} -> ${userDrawn(data)}")
    expect(ReviewObjects.all(data).count { ReviewObjects.isWaiting(it) } == 2, "waiting review objects: ${ReviewObjects.all(data).collect { reviewText(it) + ' ' + it.getPathClass() }}")

    // Applying again tiles the user's annotations, never the review objects.
    int reapplied = Tessera.application(modelPath).apply(data)
    expect(reapplied == 256, "re-applying added ${reapplied} objects, expected 256 (review objects are not tiled)")

    // Fine-tune from the parent on the corrected annotations.
    def child = new File(work, 'models/red-blue-reviewed.tessera').getAbsolutePath()
    Tessera.training().tileSize(32).micronsPerPixel(0.5).epochs(1).folds(2).seed(5).from(modelPath).train(data, child)
    def trainScript = lastScript(data)
    def json = new ZipFile(child).withCloseable { z -> JsonParser.parseString(z.getInputStream(z.getEntry('tessera.json')).text).getAsJsonObject() }
    def lineage = json.getAsJsonObject('lineage')
    println "INFO review: child lineage ${lineage}"
    expect(lineage != null && lineage.get('parent').getAsString() == 'red-blue', "lineage ${lineage}")
    expect(lineage?.has('parent_macro_f1_on_folds') && lineage?.has('child_macro_f1_on_folds'), "lineage lacks both models' macro-F1 on the folds: ${lineage}")
    expect(trainScript.contains(".from('${modelPath}').train(getCurrentImageData(), '${child}')"), "train step ${trainScript}")

    def steps = data.getHistoryWorkflow().getSteps()*.getName()
    println "INFO review: workflow steps ${steps}"
    ['Tessera: apply model', 'Tessera: find tiles to review', 'Tessera: classify review tile', 'Tessera: train tile classifier'].each {
        expect(steps.contains(it), "no workflow step ${it}: ${steps}")
    }

    // Saved and read back: review objects keep their names, predictions, scores and classes.
    def copyDir = new File(work, 'project-review')
    copyDir.deleteDir()
    Files.walk(new File(work, 'project').toPath()).withCloseable { paths ->
        paths.forEach { p -> Files.copy(p, copyDir.toPath().resolve(new File(work, 'project').toPath().relativize(p)), StandardCopyOption.REPLACE_EXISTING) }
    }
    def copy = ProjectIO.loadProject(new File(copyDir, 'project.qpproj'), BufferedImage.class)
    def copyA = copy.getImageList().find { it.getImageName() == 'slide-A' }
    copyA.saveImageData(data)
    def reread = copyA.readImageData()
    def kept = ReviewObjects.all(reread).collect { "${reviewText(it)} ${ReviewObjects.predicted(it)} ${it.getPathClass()}" }
    def had = ReviewObjects.all(data).collect { "${reviewText(it)} ${ReviewObjects.predicted(it)} ${it.getPathClass()}" }
    println "INFO review: saved and re-read ${kept}"
    expect(kept == had, "re-read review objects ${kept}, saved ${had}")
    reread.getServer().close()
    data.getServer().close()

    // Over the (copied) project: both images applied and saved, then one find over both.
    copy.getImageList().each { e ->
        def d = e.readImageData()
        d.getHierarchy().getAnnotationObjects().findAll { ReviewObjects.isReviewObject(it) }.each { d.getHierarchy().removeObject(it, true) }
        Tessera.application(modelPath).apply(d)
        e.saveImageData(d)
        d.getServer().close()
    }
    def results = Tessera.review().count(8).findInProject(copy.getImageList())
    println "INFO review: project find ${results}"
    expect(results*.image() == ['slide-A', 'slide-B'], "project find images ${results*.image()}")
    expect(results*.objects().sum() == 8 && results.every { it.error() == null && it.objects() > 0 }, "project find results ${results}")
    copy.getImageList().each { e ->
        def d = e.readImageData()
        def reviews = ReviewObjects.all(d)
        expect(reviews.size() == results.find { it.image() == e.getImageName() }.objects(), "${e.getImageName()} saved ${reviews.size()} review objects")
        expect(lastScript(d)?.contains('.findInProject(getProject().getImageList().findAll { it.getImageName() in [\'slide-A\', \'slide-B\'] })'),
                "${e.getImageName()} last step ${lastScript(d)}")
        d.getServer().close()
    }
}
