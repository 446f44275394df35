/**
 * Test doubles of the QuPath 0.6 classes Tessera's QuPath layer calls. QuPath's own jars cannot
 * be downloaded in our build, and the compile-only signature module throws, so these minimal
 * working versions (same names and signatures, shadowing the signatures on the test class path)
 * let the Groovy scripts run end to end. Only what the extension calls is implemented.
 */
package qupath.lib;
