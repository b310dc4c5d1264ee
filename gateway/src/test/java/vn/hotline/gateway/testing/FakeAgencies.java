package vn.hotline.gateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vn.hotline.gateway.delivery.WebhookSignature;

/**
 * The agencies of the shipped config/routing.yaml as fake inboxes on random ports: the shipped rules, each
 * agency's URL and secret replaced, written to a routing file a test gateway is pointed at.
 */
public final class FakeAgencies implements AutoCloseable {
  public static final List<String> IDS = List.of("police-investigation", "police-cyber", "child-protection",
      "education", "harmful-content");

  public final Map<String, FakeAgency> agencies = new LinkedHashMap<>();
  public final Map<String, String> secrets = new LinkedHashMap<>();
  public final Path routingFile;

  public FakeAgencies(Path dir) throws IOException {
    var routing = Files.readString(Path.of("config/routing.yaml"));
    for (var a : IDS) {
      var agency = new FakeAgency();
      agencies.put(a, agency);
      secrets.put(a, WebhookSignature.newSecret());
      var env = a.toUpperCase().replace('-', '_');
      routing = routing.replace("${" + env + "_WEBHOOK_URL:-http://localhost:9000/" + a + "}", agency.url("/hooks/" + a))
          .replace("${" + env + "_WEBHOOK_SECRETS:-}", secrets.get(a));
    }
    if (routing.lines().filter(l -> l.contains("webhook_url:") || l.contains("secrets:")).anyMatch(l -> l.contains("${"))) {
      throw new IllegalStateException("config/routing.yaml has an agency FakeAgencies does not know");
    }
    routingFile = dir.resolve("routing.yaml");
    Files.writeString(routingFile, routing);
  }

  public FakeAgency get(String id) {
    return agencies.get(id);
  }

  @Override
  public void close() {
    agencies.values().forEach(FakeAgency::close);
  }
}
