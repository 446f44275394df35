// Setup for the real-QuPath scenarios (run by QuPath's own `script` command; args[0] = work folder).
// Points QuPath's user directory at the work folder (its extensions/ holds the Tessera jar), draws
// three small calibrated RGB TIFFs with ImageJ and makes a two-image project with classified
// annotations, saved through QuPath's own project classes.
import java.awt.image.BufferedImage
import qupath.lib.gui.prefs.PathPrefs
import qupath.lib.images.servers.ImageServerProvider
import qupath.lib.objects.PathObjects
import qupath.lib.objects.classes.PathClass
import qupath.lib.projects.Projects
import qupath.lib.regions.ImagePlane
import qupath.lib.roi.ROIs

def work = new File(args[0])
def userDir = new File(work, 'user')
new File(userDir, 'extensions').mkdirs()
PathPrefs.userPathProperty().set(userDir.getAbsolutePath())

int size = 512, half = 256
// left half reddish and right half bluish (swapped when redRight), with noise; grey instead of blue for 'greyRight'
def draw = { boolean redRight, boolean greyRight, long seed ->
    def image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB)
    def random = new Random(seed)
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            int n = random.nextInt(50)
            boolean left = x < half
            int red = (190 + n) << 16 | (90 + n) << 8 | (70 + n)
            int blue = (70 + n) << 16 | (90 + n) << 8 | (190 + n)
            int grey = 235 + random.nextInt(20)
            int rgb = greyRight ? (left ? red : (grey << 16 | grey << 8 | grey))
                    : ((left ^ redRight) ? red : blue)
            image.setRGB(x, y, rgb)
        }
    image
}
def save = { BufferedImage image, String name ->
    def imp = new ij.ImagePlus(name, image)
    def cal = imp.getCalibration()
    cal.pixelWidth = 0.5
    cal.pixelHeight = 0.5
    cal.setUnit('micron')
    def file = new File(work, 'images/' + name)
    file.parentFile.mkdirs()
    if (!new ij.io.FileSaver(imp).saveAsTiff(file.getAbsolutePath()))
        throw new RuntimeException('cannot write ' + file)
    file
}
def fileA = save(draw(false, false, 3), 'red-blue-a.tif')
def fileB = save(draw(true, false, 4), 'blue-red-b.tif')
save(draw(false, true, 5), 'red-grey-c.tif')

def projectDir = new File(work, 'project')
projectDir.mkdirs()
def project = Projects.createProject(projectDir, BufferedImage.class)
[[fileA, 'slide-A', false], [fileB, 'slide-B', true]].each { file, name, redRight ->
    def support = ImageServerProvider.getPreferredUriImageSupport(BufferedImage.class, file.getAbsolutePath())
    def builder = support.getBuilders().get(0)
    def entry = project.addImage(builder)
    entry.setImageName(name)
    def imageData = entry.readImageData()
    def server = imageData.getServer()
    println "INFO ${name}: server ${server.getClass().getSimpleName()}, path '${server.getPath()}', metadata name '${server.getMetadata().getName()}', ${server.getWidth()}x${server.getHeight()}, ${server.getPixelCalibration().getAveragedPixelSizeMicrons()} um/px"
    for (int i = 0; i < 4; i++) {
        int x = (i.intdiv(2)) * half, y = (i % 2) * half
        boolean redHalf = (x < half) ^ redRight
        def roi = ROIs.createRectangleROI(x, y, half, half, ImagePlane.getDefaultPlane())
        imageData.getHierarchy().addObject(PathObjects.createAnnotationObject(roi, PathClass.fromString(redHalf ? 'Red' : 'Blue')))
    }
    entry.saveImageData(imageData)
    server.close()
}
project.syncChanges()
println "INFO project ${project.getPath()} with ${project.getImageList()*.getImageName()}"
if (project.getImageList().size() != 2)
    throw new IllegalStateException('setup: the project should hold two images')
println 'PASS setup'
