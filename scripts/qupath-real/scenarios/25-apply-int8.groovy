// Scenario 25-apply-int8: run after scenario-common.groovy (see scripts/qupath-real.sh).
// The model 10-train made carries an int8 model; .precision('int8') runs it in real QuPath, with
// the same tiles and classes as the float model, and the choice is recorded in the workflow.
import java.util.zip.ZipFile

runScenario('apply-int8') {
    new ZipFile(modelPath).withCloseable { zip ->
        expect(zip.getEntry('model.int8.onnx') != null, "no model.int8.onnx in ${modelPath}")
        def json = new String(zip.getInputStream(zip.getEntry('tessera.json')).readAllBytes(), 'UTF-8')
        def record = new com.google.gson.Gson().fromJson(json, com.google.gson.JsonObject).getAsJsonObject('quantization')
        println "INFO apply-int8: the package's int8 record: ${record}"
        expect(record != null && record.get('accepted').getAsBoolean(), "the int8 model did not pass its guard: ${record}")
    }
    def classes = [:]
    for (precision in ['fp32', 'int8']) {
        def data = entry('slide-A').readImageData()
        int added = Tessera.application(modelPath).precision(precision).apply(data)
        expect(added == 256, "${precision}: apply returned ${added}, expected 256")
        classes[precision] = data.getHierarchy().getDetectionObjects()
                .collectEntries { ["${it.getROI().getBoundsX()},${it.getROI().getBoundsY()}", it.getPathClass().toString()] }
        def script = lastScript(data)
        println "INFO apply-int8: ${precision} workflow step: ${script}"
        expect(script.contains(".precision('${precision}')"), "${precision}: the workflow step does not record it: ${script}")
        userAnnotations(data).each { a ->
            def wrong = tilesUnder(a).findAll { it.getPathClass() != a.getPathClass() }
            expect(wrong.isEmpty(), "${precision}: ${wrong.size()} tiles below a ${a.getPathClass()} annotation classified otherwise")
        }
    }
    expect(classes['int8'] == classes['fp32'], "int8 and fp32 classify the tiles differently")
}
