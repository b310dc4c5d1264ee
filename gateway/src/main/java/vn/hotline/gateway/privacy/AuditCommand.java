package vn.hotline.gateway.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import vn.hotline.gateway.store.StoreCommand;
import vn.hotline.gateway.audit.AuditChain;
import vn.hotline.gateway.audit.AuditLinker;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.util.Json;

/** {@code audit verify} walks the hash chain; {@code audit anchor} exports its head for safekeeping elsewhere. */
@Command(name = "audit", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
    footerHeading = "%nExample:%n",
    footer = {"  java -jar gateway/target/hotline-gateway.jar audit verify",
        "  java -jar gateway/target/hotline-gateway.jar audit anchor --out /media/usb/hotline-anchors.jsonl"},
    description = "Check the audit chain, or export its head as an anchor.",
    subcommands = {AuditCommand.Verify.class, AuditCommand.Anchor.class})
public final class AuditCommand implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  abstract static class WithStore extends StoreCommand {
    @Override
    protected String name() {
      return "audit";
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar audit verify",
          "  java -jar gateway/target/hotline-gateway.jar audit verify --anchor /media/usb/hotline-anchors.jsonl"},
      description = "Walk the chain; report the first broken or missing link. Exit 1 if broken.")
  static final class Verify extends WithStore {
    @Option(names = "--anchor", description = "an anchor file written by 'audit anchor'; its newest line is checked too")
    Path anchor;

    @Override
    protected int work(Store store) throws SQLException, IOException {
      AuditChain.Anchor a = null;
      if (anchor != null) {
        var lines = Files.readAllLines(anchor);
        if (lines.isEmpty()) {
          System.err.println("audit verify: " + anchor + " holds no anchor");
          return 2;
        }
        var n = Json.JSON.readTree(lines.get(lines.size() - 1));
        a = new AuditChain.Anchor(n.path("seq").asLong(), n.path("hash").asText());
      }
      var r = AuditChain.verify(store.dataSource(), a);
      if (r.intact()) {
        System.out.println("audit chain intact: " + r.events() + " events, head " + r.headHash()
            + (a == null ? "" : "; matches the anchor at event " + a.seq()));
        return 0;
      }
      System.out.println("audit chain BROKEN at event " + r.brokenAt() + ": " + r.problem()
          + " (events 1.." + r.events() + " verified)");
      return 1;
    }
  }

  @Command(name = "anchor", mixinStandardHelpOptions = true, versionProvider = vn.hotline.gateway.cli.Version.class,
      footerHeading = "%nExample:%n",
      footer = {"  java -jar gateway/target/hotline-gateway.jar audit anchor --out /media/usb/hotline-anchors.jsonl"},
      description = "Print the chain head as a JSON line (and append it to --out) for safekeeping.")
  static final class Anchor extends WithStore {
    @Option(names = "--out", description = "a file to append the anchor line to (keep it off this server)")
    Path out;

    @Override
    protected int work(Store store) throws SQLException, IOException {
      AuditLinker.linkPending(store.dataSource()); // the head of everything recorded so far
      try (var c = store.dataSource().getConnection(); var st = c.createStatement();
          var rs = st.executeQuery("SELECT seq, hash FROM audit_head WHERE id = 1")) {
        rs.next();
        var line = new LinkedHashMap<String, Object>();
        line.put("seq", rs.getLong(1));
        line.put("hash", rs.getString(2));
        line.put("exported_at", Instant.now().toString());
        var json = Json.JSON.writeValueAsString(line);
        System.out.println(json);
        if (out != null) {
          Files.writeString(out, json + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return 0;
      }
    }
  }
}
