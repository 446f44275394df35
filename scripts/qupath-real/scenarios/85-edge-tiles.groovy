// Scenario 85-edge-tiles: run after scenario-common.groovy (see scripts/qupath-real.sh).
// An image of 500 × 300 px (not a whole number of 32-px tiles): tiles at its right and bottom
// edges are classified, their objects end at the image's edge, and exported tiles are white past it.

if (!new File(modelPath).isFile())
    println "INFO no model at ${modelPath} (10-train failed?)"

runScenario('edge-tiles') {
    int width = 500, height = 300
    def image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB)
    def random = new Random(9)
    for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++) {
            int n = random.nextInt(50)
            int grey = 235 + random.nextInt(20)
            // near-white glass on the left, red tissue on the right, touching the right and bottom edges
            image.setRGB(x, y, x < width / 2 ? (grey << 16 | grey << 8 | grey) : ((190 + n) << 16 | (90 + n) << 8 | (70 + n)))
        }
    def imp = new ij.ImagePlus('edges.tif', image)
    imp.getCalibration().pixelWidth = 0.5
    imp.getCalibration().pixelHeight = 0.5
    imp.getCalibration().setUnit('micron')
    def file = new File(work, 'images/edges.tif')
    expect(new ij.io.FileSaver(imp).saveAsTiff(file.getAbsolutePath()), "cannot write ${file}")
    def server = ImageServerProvider.buildServer(file.getAbsolutePath(), BufferedImage.class)
    def data = new ImageData<BufferedImage>(server)

    int added = Tessera.application(modelPath).apply(data)
    def tiles = data.getHierarchy().getDetectionObjects()
    double right = tiles.collect { it.getROI().getBoundsX() + it.getROI().getBoundsWidth() }.max() ?: 0
    double bottom = tiles.collect { it.getROI().getBoundsY() + it.getROI().getBoundsHeight() }.max() ?: 0
    println "INFO edge-tiles: ${added} tiles over the whole image, reaching x ${right} and y ${bottom} (image ${width} × ${height})"
    expect(added > 0 && added == tiles.size(), "apply returned ${added} for ${tiles.size()} tiles")
    expect(right == width && bottom == height, "tiles end at ${right}, ${bottom}, not at the image's edges")
    def edge = tiles.find { it.getROI().getBoundsX() == 480 && it.getROI().getBoundsY() == 0 }
    expect(edge != null && edge.getROI().getBoundsWidth() == 20, "the right-edge tile is ${edge?.getROI()}")
    expect(edge?.getPathClass()?.toString() == 'Red', "the right-edge tile (red tissue) is ${edge?.getPathClass()}")

    data.getHierarchy().clearAll()
    data.getHierarchy().addObject(qupath.lib.objects.PathObjects.createAnnotationObject(
            qupath.lib.roi.ROIs.createRectangleROI(0, 0, width, height, qupath.lib.regions.ImagePlane.getDefaultPlane()),
            qupath.lib.objects.classes.PathClass.fromString('Red')))
    def dir = new File(work, 'edge-tiles')
    int written = Tessera.tileExport().tileSize(32).micronsPerPixel(0.5).minCoverage(0.5).export(data, dir.getAbsolutePath())
    def last = new File(dir, 'Red').listFiles().find { it.name.endsWith('_480_0.png') }
    expect(written == 16 * 9, "export returned ${written}, expected 16 × 9 (the bottom row is covered 12/32 < 0.5)")
    expect(last != null, "no tile at x 480: ${new File(dir, 'Red').list()?.sort()?.take(5)}")
    def png = javax.imageio.ImageIO.read(last)
    int inside = png.getRGB(10, 5) & 0xffffff, beyond = png.getRGB(25, 5) & 0xffffff
    println "INFO edge-tiles: ${written} exported; the x 480 tile is ${String.format('%06x', inside)} inside, ${String.format('%06x', beyond)} past the edge"
    expect(beyond == 0xffffff, "past the image's edge the tile is ${String.format('%06x', beyond)}, not white")
    expect(inside != 0xffffff, 'inside the image the tile is white')
    expect(!dir.listFiles().any { it.name.startsWith('.tessera-partial') }, 'a temporary folder was left behind')
    try {
        Tessera.tileExport().tileSize(32).micronsPerPixel(0.5).maxTiles(100).export(data, new File(work, 'too-many').getAbsolutePath())
        expect(false, 'a plan of 144 tiles was made despite maxTiles(100)')
    } catch (qupath.ext.tessera.bridge.TooManyTilesException e) {
        println "INFO edge-tiles: maxTiles(100) refused: ${e.getMessage()}"
        // the estimate: 500 × 300 px / 32² ≈ 146
        expect(e.getMessage().contains('about 146 tiles'), "the message lacks the estimate: ${e.getMessage()}")
    }
    expect(!new File(work, 'too-many').exists(), 'the refused export wrote its folder')
    server.close()
}
