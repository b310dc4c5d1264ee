package vn.hotline.gateway.delivery;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verification examples of docs/integrators.md, run as an agency would run them: compiled (Java) or executed
 * (Python) from the guide's own text, against what the gateway's signer produces.
 */
class IntegratorsDocTest {
  private static final String ID = "msg_01a20a59fb164b9be499ffc5c9c555dc";

  @Test
  void theJavaExampleVerifiesTheGatewaysSignatures(@TempDir Path dir) throws Exception {
    var source = dir.resolve("HotlineWebhookVerifier.java");
    Files.writeString(source, IntegratorsDoc.example("verify-java"));
    var compiler = ToolProvider.getSystemJavaCompiler();
    var diagnostics = new ByteArrayOutputStream();
    int rc = compiler.run(null, diagnostics, diagnostics, "--release", "11", "-d", dir.toString(), source.toString());
    assertEquals(0, rc, "the guide's Java example compiles on Java 11+: " + diagnostics);

    try (var loader = new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, null)) {
      var type = loader.loadClass("HotlineWebhookVerifier");
      type.getMethod("main", String[].class).invoke(null, (Object) new String[0]); // the spec's test vector

      var oldSecret = WebhookSignature.newSecret();
      var newSecret = WebhookSignature.newSecret();
      var body = IntegratorsDoc.example("payload-full").getBytes(StandardCharsets.UTF_8);
      long now = Instant.now().getEpochSecond();
      var rotating = WebhookSignature.header(List.of(newSecret, oldSecret), ID, now, body);
      var verify = type.getMethod("verify", String.class, String.class, String.class, byte[].class, Instant.class);

      for (var secrets : List.of(List.of(oldSecret), List.of(newSecret), List.of(oldSecret, newSecret))) {
        var verifier = type.getConstructor(List.class).newInstance(secrets);
        assertDoesNotThrow(() -> call(verify, verifier, ID, Long.toString(now), rotating, body, Instant.now()));
      }
      var verifier = type.getConstructor(List.class).newInstance(List.of(oldSecret));
      var tampered = body.clone();
      tampered[40] ^= 1;
      refused(verify, verifier, ID, Long.toString(now), rotating, tampered, Instant.ofEpochSecond(now));
      refused(verify, verifier, ID, Long.toString(now), rotating, body, Instant.ofEpochSecond(now + 301));
      refused(verify, verifier, ID, Long.toString(now), rotating.replace("v1,", "v2,"), body,
          Instant.ofEpochSecond(now));
      refused(verify, verifier, "msg_" + "0".repeat(32), Long.toString(now), rotating, body,
          Instant.ofEpochSecond(now));
      refused(verify, verifier, ID, null, rotating, body, Instant.ofEpochSecond(now));
      var stranger = type.getConstructor(List.class).newInstance(List.of(WebhookSignature.newSecret()));
      refused(verify, stranger, ID, Long.toString(now), rotating, body, Instant.ofEpochSecond(now));
    }
  }

  @Test
  void thePythonExampleVerifiesTheGatewaysSignatures(@TempDir Path dir) throws Exception {
    assumeTrue(python() != null, "python3 is not installed here");
    var oldSecret = WebhookSignature.newSecret();
    var newSecret = WebhookSignature.newSecret();
    var body = IntegratorsDoc.example("payload-full");
    long now = Instant.now().getEpochSecond();
    var rotating = WebhookSignature.header(List.of(newSecret, oldSecret), ID, now,
        body.getBytes(StandardCharsets.UTF_8));
    var script = IntegratorsDoc.example("verify-python") + "\n\n" + """
        import sys
        old_secret, new_secret, stranger, msg_id, ts, header, body_file = sys.argv[1:]
        body = open(body_file, "rb").read()
        headers = {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": header}
        now = int(ts)
        for secrets in ([old_secret], [new_secret], [stranger, old_secret]):
            verify(secrets, headers, body, now=now)

        def refused(secrets, headers, body, now):
            try:
                verify(secrets, headers, body, now=now)
            except WebhookVerificationError:
                return
            raise SystemExit("accepted what it must refuse: %r" % (headers,))

        refused([old_secret], headers, body[:-2] + b" }", now)
        refused([old_secret], headers, body, now + 301)
        refused([old_secret], headers, body, now - 301)
        refused([old_secret], dict(headers, **{"webhook-signature": header.replace("v1,", "v2,")}), body, now)
        refused([old_secret], dict(headers, **{"webhook-signature": "v1,\u00e9\u00e9"}), body, now)
        refused([old_secret], dict(headers, **{"webhook-id": "msg_" + "0" * 32}), body, now)
        refused([old_secret], {"webhook-id": msg_id, "webhook-signature": header}, body, now)
        refused([stranger], headers, body, now)
        print("all checks passed")
        """;
    var file = dir.resolve("verify.py");
    Files.writeString(file, script);
    var bodyFile = dir.resolve("body.json");
    Files.writeString(bodyFile, body);
    var process = new ProcessBuilder(python(), file.toString(), oldSecret, newSecret, WebhookSignature.newSecret(), ID,
        Long.toString(now), rotating, bodyFile.toString()).redirectErrorStream(true).start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "python finished");
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
    assertTrue(output.startsWith("signature verified\n"), "its self-check with the spec's vector: " + output);
    assertTrue(output.contains("all checks passed"), output);
  }

  private static Object call(java.lang.reflect.Method verify, Object verifier, Object... args) throws Throwable {
    try {
      return verify.invoke(verifier, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void refused(java.lang.reflect.Method verify, Object verifier, Object... args) {
    var thrown = assertThrows(Throwable.class, () -> call(verify, verifier, args));
    assertInstanceOf(SecurityException.class, thrown);
  }

  private static String python() {
    try {
      var p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? "python3" : null;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }
}
