package qupath.ext.tessera;

import java.awt.image.BufferedImage;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import qupath.ext.tessera.bridge.InvalidInputException;
import qupath.ext.tessera.bridge.Uncertainty;
import qupath.lib.images.ImageData;
import qupath.lib.objects.PathObject;
import qupath.lib.objects.classes.PathClass;
import qupath.lib.plugins.workflow.DefaultScriptableWorkflowStep;

/**
 * The review objects {@link Review} adds: unclassified annotations over applied tiles, named
 * {@code Tessera review n: Class?} after the tile's predicted class, which the user classifies
 * (accepting the prediction or giving another class). A classified review object is a training
 * annotation like any other. Only review objects are ever changed here, and only by
 * {@link #classify}.
 */
public final class ReviewObjects {

	/** The metadata key of a review object: the class its tile was predicted as. */
	static final String PREDICTED_KEY = "tessera_review";

	private ReviewObjects() {}

	/**
	 * @param object any object
	 * @return whether it is a review object (waiting or already classified)
	 */
	public static boolean isReviewObject(PathObject object) {
		return object.isAnnotation() && object.getMetadata().containsKey(PREDICTED_KEY);
	}

	/**
	 * @param object a review object
	 * @return whether it still waits for the user: it has no class yet
	 */
	public static boolean isWaiting(PathObject object) {
		return isReviewObject(object) && className(object) == null;
	}

	/**
	 * @param object a review object
	 * @return the class the model predicted for its tile
	 */
	public static String predicted(PathObject object) {
		return object.getMetadata().get(PREDICTED_KEY);
	}

	/**
	 * @param object a review object
	 * @return the score it was picked by (entropy, or loss against the annotated class)
	 */
	public static double score(PathObject object) {
		return object.getMeasurementList().get(Uncertainty.names().reviewScore());
	}

	/**
	 * @param object any object
	 * @return its class name, or null when it is unclassified
	 */
	public static String className(PathObject object) {
		PathClass pathClass = object.getPathClass();
		return pathClass == null || pathClass == PathClass.getNullClass() ? null : pathClass.toString();
	}

	/**
	 * @param imageData the image
	 * @return its review objects, waiting and classified, in the order they were numbered
	 */
	public static List<PathObject> all(ImageData<BufferedImage> imageData) {
		return imageData.getHierarchy().getAnnotationObjects().stream().filter(ReviewObjects::isReviewObject)
				.sorted(Comparator.comparingInt(ReviewObjects::number)).toList();
	}

	/**
	 * Gives a waiting review object a class, making it a training annotation, and records the step
	 * (naming the object, whose name its find gives it again on a replay).
	 * @param imageData the image holding it
	 * @param object a waiting review object of that image
	 * @param className the class to give it, or null to accept the predicted class
	 * @throws InvalidInputException if {@code object} is not a waiting review object
	 */
	public static void classify(ImageData<BufferedImage> imageData, PathObject object, String className) {
		if (!isWaiting(object))
			throw new InvalidInputException(Tessera.imageName(imageData) + ": " + object.getName()
					+ " is not a review object waiting for a class");
		String chosen = className == null ? predicted(object) : className;
		object.setPathClass(PathClass.fromString(chosen));
		imageData.getHierarchy().fireObjectClassificationsChangedEvent(ReviewObjects.class, List.of(object));
		imageData.getHistoryWorkflow().addStep(new DefaultScriptableWorkflowStep("Tessera: classify review tile",
				Map.of("review", object.getName(), "class", chosen), "qupath.ext.tessera.Tessera.review().classify("
						+ "getCurrentImageData(), " + Scripts.quoted(object.getName()) + ", " + Scripts.quoted(chosen) + ")"));
	}

	/**
	 * @param imageData the image
	 * @param name a review object's name
	 * @return the review object of that name still waiting for a class
	 * @throws InvalidInputException if there is none
	 */
	static PathObject waiting(ImageData<BufferedImage> imageData, String name) {
		return all(imageData).stream().filter(o -> isWaiting(o) && name.equals(o.getName())).findFirst()
				.orElseThrow(() -> new InvalidInputException(Tessera.imageName(imageData)
						+ ": no review object named " + Scripts.quoted(name) + " waits for a class"));
	}

	/** The review number in {@code Tessera review n: …}, or 0 when the name has none. */
	private static int number(PathObject object) {
		String name = object.getName() == null ? "" : object.getName();
		var match = java.util.regex.Pattern.compile("(\\d+):").matcher(name);
		return match.find() ? Integer.parseInt(match.group(1)) : 0;
	}
}
