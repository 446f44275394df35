package qupath.fx.dialogs;

import java.util.Collection;

import javafx.scene.Node;
import javafx.scene.control.ButtonType;
import javafx.stage.Window;

/** Compile-only mirror of qupath-fxtras' {@code qupath.fx.dialogs.Dialogs}, as used by QuPath 0.6.0. */
public class Dialogs {

    public static void setPrimaryWindow(Window window) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Window getPrimaryWindow() {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static boolean showConfirmDialog(String title, String text) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static boolean showConfirmDialog(String title, Node node) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static boolean showMessageDialog(String title, String message) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static boolean showMessageDialog(final String title, final Node node) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static boolean showYesNoDialog(String title, String text) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static ButtonType showYesNoCancelDialog(String title, String text) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static Double showInputDialog(final String title, final String message, final Double initialInput) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static String showInputDialog(final String title, final String message, final String initialInput) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static <T> T showChoiceDialog(final String title, final String message, final T[] choices, final T defaultChoice) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static <T> T showChoiceDialog(final String title, final String message, final Collection<T> choices, final T defaultChoice) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showErrorMessage(final String title, final Throwable e) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showErrorMessage(final String title, final String message) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showErrorMessage(final String title, final Node node) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showErrorNotification(final String title, final Throwable e) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showErrorNotification(final String title, final String message) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showWarningNotification(final String title, final String message) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showInfoNotification(final String title, final String message) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showPlainNotification(final String title, final String message) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }

    public static void showPlainMessage(final String title, final String message) {
        throw new UnsupportedOperationException("compile-only QuPath API signature");
    }
}
