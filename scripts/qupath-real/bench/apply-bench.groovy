// Apply benchmark through a REAL QuPath (run by QuPath's own `script` command with the Tessera jar in
// the user directory's extensions folder; driven by scripts/qupath-real/bench.sh).
//
// args: MODE WORK [SLIDE MODEL CLI_GEOJSON APPLIES SAMPLE_MS]
//   MODE setup    points QuPath's user directory at WORK/user (its extensions/ holds the Tessera jar);
//                 the next QuPath started with the same user.home loads the jar from there
//   MODE native   the default: Tessera reads JPEG-tiled TIFF pyramids natively (tessera.nativeReads=true)
//   MODE cached   tessera.nativeReads=false: every tile through QuPath's ImageServer.readRegion, with
//                 QuPath's tile cache as the `script` command sets it up (first apply cold, second warm)
//   MODE nocache  tessera.nativeReads=false, and no tile cache: ImageServerProvider.setCache(null, …)
//                 before the server is built (AbstractImageServer takes the cache when constructed)
// The image is opened with QuPath's own server for the file (the builder QuPath prefers; OpenSlide is
// required, so that the comparison is the one QuPath users of SVS files get), in an ImageData with no
// annotations, so that Tessera tiles the tissue. The model is applied APPLIES times to fresh ImageData
// objects of the same server; each apply is timed around Tessera.application(model).apply(imageData)
// (model loading, planning, reading, inference, objects added to the hierarchy).
// Prints, for each apply:
//   BENCH mode=M run=R tiles=N seconds=S tiles_per_s=T cpu_seconds=C server=CLASS cache=ENTRIES|none native=true|false
// and, for the first apply, its tiles against the CLI's GeoJSON (same rectangle = same tile):
//   MATCH mode=M cli=N qupath=N common=N only_cli=N only_qupath=N class_mismatch=N max_prob_diff=D
// With SAMPLE_MS > 0, a daemon thread takes every thread's stack (Thread.getAllStackTraces) every SAMPLE_MS
// during the applies and prints what the main thread (which runs the model) and the common-pool threads
// (where Tessera reads the next batch of tiles) were doing:
//   PROFILE group=main|readers share=P% what=…
import java.awt.image.BufferedImage
import com.google.gson.JsonParser
import qupath.lib.gui.prefs.PathPrefs
import qupath.lib.images.ImageData
import qupath.lib.images.servers.AbstractImageServer
import qupath.lib.images.servers.ImageServerProvider

def mode = args[0]
def work = new File(args[1])

if (mode == 'setup') {
    def userDir = new File(work, 'user')
    new File(userDir, 'extensions').mkdirs()
    PathPrefs.userPathProperty().set(userDir.getAbsolutePath())
    println "SETUP user directory ${userDir}"
    return
}

def slide = new File(args[2]).getAbsolutePath()
def model = new File(args[3]).getAbsolutePath()
def cliGeojson = args.length > 4 && args[4] ? new File(args[4]) : null
int applies = args.length > 5 ? Integer.parseInt(args[5]) : 2
int sampleMs = args.length > 6 ? Integer.parseInt(args[6]) : 0
if (!(mode in ['native', 'cached', 'nocache']))
    throw new IllegalArgumentException("unknown mode ${mode}")

// bench.sh passes -Dtessera.nativeReads too; set here so that the script alone is enough (read at each apply)
System.setProperty('tessera.nativeReads', mode == 'native' ? 'true' : 'false')
if (mode == 'nocache')
    ImageServerProvider.setCache(null, BufferedImage.class)
def tileCache = ImageServerProvider.getCache(BufferedImage.class)

// QuPath's own choice of server for the file; OpenSlide is what QuPath users get for SVS.
def server = ImageServerProvider.buildServer(slide, BufferedImage.class)
if (!server.getClass().getSimpleName().toLowerCase().contains('openslide')) {
    println "INFO QuPath's preferred server is ${server.getClass().getName()}; asking for OpenSlide"
    server.close()
    server = ImageServerProvider.buildServer(slide, BufferedImage.class, '--classname', 'OpenslideServerBuilder')
}
if (!server.getClass().getSimpleName().toLowerCase().contains('openslide'))
    throw new IllegalStateException("no OpenSlide server for ${slide} (got ${server.getClass().getName()})")
def cacheField = AbstractImageServer.getDeclaredField('cache')
cacheField.setAccessible(true)
def serverCache = cacheField.get(server)
if (mode == 'nocache' && serverCache != null)
    throw new IllegalStateException('the server still has a tile cache')
if (mode != 'nocache' && serverCache == null)
    throw new IllegalStateException('the server has no tile cache')
def tileSize = server.getMetadata().getPreferredTileWidth() + 'x' + server.getMetadata().getPreferredTileHeight()
println "INFO server ${server.getClass().getName()} ${server.getWidth()}x${server.getHeight()} levels=${server.nResolutions()} tile=${tileSize} " +
        "mpp=${server.getPixelCalibration().getAveragedPixelSizeMicrons()} cache=${serverCache == null ? 'none' : serverCache.getClass().getSimpleName()} " +
        "openslide=${Class.forName('qupath.lib.images.servers.openslide.jna.OpenSlideLoader').getLibraryVersion()} " +
        "java=${System.getProperty('java.runtime.version')} cpus=${Runtime.getRuntime().availableProcessors()} " +
        "fj_parallelism=${java.util.concurrent.ForkJoinPool.getCommonPoolParallelism()} xmx_mb=${Runtime.getRuntime().maxMemory() >> 20}"

def cliTiles = null
if (cliGeojson != null) {
    cliTiles = [:]
    def json = cliGeojson.withReader('UTF-8') { JsonParser.parseReader(it) }
    def features = json.isJsonObject() ? json.getAsJsonObject().getAsJsonArray('features') : json.getAsJsonArray()
    for (f in features) {
        def ring = f.getAsJsonObject().getAsJsonObject('geometry').getAsJsonArray('coordinates').get(0).getAsJsonArray()
        def xs = ring.collect { it.getAsJsonArray().get(0).getAsDouble() }, ys = ring.collect { it.getAsJsonArray().get(1).getAsDouble() }
        def key = [Math.round(xs.min()), Math.round(ys.min()), Math.round(xs.max() - xs.min()), Math.round(ys.max() - ys.min())].join(',')
        def props = f.getAsJsonObject().getAsJsonObject('properties')
        def probs = props.getAsJsonObject('measurements').entrySet().collectEntries { e ->
            [(e.getKey().replaceFirst(/^Tessera: /, '').replaceFirst(/ probability$/, '')): e.getValue().getAsDouble()] }
        def cls = props.has('classification') ? props.getAsJsonObject('classification').get('name').getAsString() : null
        cliTiles[key] = [cls: cls, probs: probs]
    }
}

// What a thread is doing: the first frame, from the top of its stack, that one of these markers names.
def categories = [
    ['ONNX Runtime inference (NativeBridge.predictorClassify)', ['NativeBridge.predictorClassify']],
    ['waiting for the next batch of tiles (TileBatches.join)', ['TileBatches.join', 'CompletableFuture.join']],
    ['OpenSlide read_region via JNA (native: decode + composite)', ['com.sun.jna.', 'OpenSlideJNA']],
    ['OpenslideImageServer.readTile (Java side)', ['OpenslideImageServer', 'openslide.jna.OpenSlide.']],
    ['QuPath compositing tiles into the region (AbstractTileableImageServer)', ['AbstractTileableImageServer.']],
    ['Tessera copying/resizing tiles (ServerTiles, RgbPixels)', ['ServerTiles.', 'RgbPixels.']],
    ['Tessera native reads (NativeSlide)', ['NativeSlide.', 'nativeSlideRead']],
    ['tile plan (TilePlanner, thumbnail)', ['TilePlanner.', 'Application.planTissue']],
    ['tile objects, hierarchy (TileObjects, PathObjectHierarchy, place)', ['TileObjects.', 'PathObjectHierarchy', 'Application.place', 'ClassRegions.']],
    ['model loading (TilePredictor.<init>)', ['TilePredictor.<init>', 'OnnxModel']],
    ['idle pool thread (waiting for work)', ['ForkJoinPool.awaitWork', 'ForkJoinPool.runWorker']],
]
def profile = new java.util.concurrent.ConcurrentHashMap<String, Integer>()
def sampling = new java.util.concurrent.atomic.AtomicBoolean(sampleMs > 0)
def mainThread = Thread.currentThread()
def sampler = new Thread({
    while (sampling.get()) {
        Thread.getAllStackTraces().each { t, stack ->
            def group = t.is(mainThread) ? 'main' : t.getName().startsWith('ForkJoinPool.commonPool') ? 'readers' : null
            if (group == null)
                return
            def frames = stack.collect { it.toString() }
            def label = null
            for (frame in frames) {
                label = categories.find { c -> c[1].any { frame.contains(it) } }?.get(0)
                if (label != null)
                    break
            }
            profile.merge(group + '|' + (label ?: 'other: ' + (frames ? frames[0] : '(no frames)')), 1, Integer::sum)
        }
        Thread.sleep(sampleMs)
    }
} as Runnable, 'bench-sampler')
sampler.setDaemon(true)
if (sampleMs > 0)
    sampler.start()

def application = qupath.ext.tessera.Tessera.application(model)
// CPU time of the whole process (every thread, ONNX Runtime's included) around each apply.
def osBean = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
for (int run = 1; run <= applies; run++) {
    def data = new ImageData<BufferedImage>(server)
    long cpuStart = osBean.getProcessCpuTime(), start = System.nanoTime()
    int added = application.apply(data)
    double seconds = (System.nanoTime() - start) / 1e9, cpuSeconds = (osBean.getProcessCpuTime() - cpuStart) / 1e9
    def tiles = data.getHierarchy().getTileObjects()
    println String.format(Locale.ROOT, 'BENCH mode=%s run=%d tiles=%d seconds=%.3f tiles_per_s=%.1f cpu_seconds=%.3f server=%s cache=%s native=%s added=%d',
            mode, run, tiles.size(), seconds, tiles.size() / seconds, cpuSeconds, server.getClass().getSimpleName(),
            tileCache == null ? 'none' : String.valueOf(tileCache.size()), System.getProperty('tessera.nativeReads'), added)
    if (run == 1 && cliTiles != null) {
        int common = 0, mismatch = 0, onlyQuPath = 0
        double maxDiff = 0
        def seen = new HashSet()
        for (t in tiles) {
            def roi = t.getROI()
            def key = [Math.round(roi.getBoundsX()), Math.round(roi.getBoundsY()), Math.round(roi.getBoundsWidth()), Math.round(roi.getBoundsHeight())].join(',')
            def cli = cliTiles[key]
            if (cli == null) { onlyQuPath++; continue }
            seen << key
            common++
            if (cli.cls != t.getPathClass()?.getName())
                mismatch++
            def ml = t.getMeasurementList()
            cli.probs.each { cls, p -> maxDiff = Math.max(maxDiff, Math.abs(p - ml.get(cls))) }
        }
        println String.format(Locale.ROOT, 'MATCH mode=%s cli=%d qupath=%d common=%d only_cli=%d only_qupath=%d class_mismatch=%d max_prob_diff=%.2e',
                mode, cliTiles.size(), tiles.size(), common, cliTiles.size() - seen.size(), onlyQuPath, mismatch, maxDiff)
    }
    data.getHierarchy().clearAll()   // ImageData.close() would close the shared server
}
sampling.set(false)
if (sampleMs > 0) {
    sampler.join()
    ['main', 'readers'].each { group ->
        def entries = profile.findAll { k, v -> k.startsWith(group + '|') }
        int total = entries.values().sum() ?: 0
        println "PROFILE group=${group} samples=${total} every=${sampleMs}ms"
        entries.sort { -it.value }.take(8).each { k, v ->
            println String.format(Locale.ROOT, 'PROFILE group=%s share=%5.1f%% what=%s', group, 100.0 * v / total, k.substring(group.length() + 1).take(120))
        }
    }
}
server.close()
