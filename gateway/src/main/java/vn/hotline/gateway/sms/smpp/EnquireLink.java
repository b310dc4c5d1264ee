package vn.hotline.gateway.sms.smpp;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends enquire_link on every bound session of a link every {@code enquire_link_seconds} (a task on the link's
 * executor). A session that does not answer within the transaction timer is closed: the bind counts as lost and
 * {@link Reconnect} binds again.
 */
final class EnquireLink implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(EnquireLink.class);

  private final String link;
  private final List<SmppBind> binds;

  EnquireLink(String link, List<SmppBind> binds) {
    this.link = link;
    this.binds = binds;
  }

  @Override
  public void run() {
    for (var b : binds) {
      var s = b.session();
      if (s == null) {
        continue;
      }
      try {
        s.enquireLink();
      } catch (Exception e) {
        log.atWarn().addKeyValue("link", link).addKeyValue("bind", b.type.name())
            .addKeyValue("error", e.getClass().getSimpleName()).log("SMPP enquire_link unanswered; closing the session");
        s.close();
      }
    }
  }
}
