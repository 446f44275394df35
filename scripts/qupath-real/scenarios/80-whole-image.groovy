// Scenario 80-whole-image: run after scenario-common.groovy (see scripts/qupath-real.sh).
if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"


runScenario('whole-image-without-annotations') {
    // red left half, near-white right half; no annotations, not in the project
    def file = new File(work, 'images/red-grey-c.tif')
    def server = ImageServerProvider.buildServer(file.getAbsolutePath(), BufferedImage.class)
    def data = new ImageData<BufferedImage>(server)
    int added = Tessera.application(modelPath).apply(data)
    def h = data.getHierarchy()
    def tiles = h.getDetectionObjects()
    def atRoot = tiles.findAll { it.getParent() != null && it.getParent().isRootObject() }
    def inRedHalf = tiles.findAll { it.getROI().getBoundsX() < 256 }
    println "INFO whole-image: ${added} added, ${tiles.size()} tiles (${atRoot.size()} at the root, ${inRedHalf.size()} in the tissue half), classes ${tiles.countBy { it.getPathClass()?.toString() }}"
    expect(added == 128, "apply returned ${added}, expected 128 (the tissue half)")
    expect(atRoot.size() == tiles.size() && !tiles.isEmpty(), "${tiles.size() - atRoot.size()} tiles not at the root")
    expect(inRedHalf.size() == tiles.size(), "${tiles.size() - inRedHalf.size()} tiles outside the tissue")
    expect(h.getAnnotationObjects().isEmpty(), 'annotations were added')
    println "INFO whole-image: workflow step script: ${lastScript(data)}"
    String name
    try {
        name = Tessera.imageName(data)
    } catch (Throwable e) {
        name = "n/a (${e.getClass().getSimpleName()})"
    }
    println "INFO whole-image: the extension names this image (no project) '${name}' (server path '${server.getPath()}')"
    expect(!name.contains('Server: '), "the image is named by its server path: ${name}")
    server.close()
}
