package vn.hotline.gateway.testing;

import java.util.HashMap;
import java.util.Map;

/** The environment of a test gateway's one SMPP link to a test SMSC on loopback (tools.TestSmsc and the like). */
public final class SmppLink {
  private SmppLink() {}

  /** The link to the SMSC on {@code port}: system id and password "hotline", texts sent from 111. */
  public static Map<String, String> to(int port) {
    return Map.of(
        "GATEWAY_SMPP_HOST", "127.0.0.1",
        "GATEWAY_SMPP_PORT", Integer.toString(port),
        "GATEWAY_SMPP_SYSTEM_ID", "hotline",
        "GATEWAY_SMPP_PASSWORD", "hotline",
        "GATEWAY_SMPP_SOURCE", "111");
  }

  /** Likewise, reconnecting within 2 seconds and enquiring every 5 (a link the test cuts comes back quickly). */
  public static Map<String, String> quick(int port) {
    var env = new HashMap<>(to(port));
    env.put("GATEWAY_SMPP_RECONNECT_MAX_SECONDS", "2");
    env.put("GATEWAY_SMPP_ENQUIRE_LINK_SECONDS", "5");
    return Map.copyOf(env);
  }
}
