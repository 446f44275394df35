// Scenario 70-tile-export: run after scenario-common.groovy (see scripts/qupath-real.sh).
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
