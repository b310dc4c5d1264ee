package vn.hotline.gateway.voice;

import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.FlowEngine;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.twilio.TwilioSignatures;

/**
 * Runs the new-call path before the public listener opens, so that the first callers after a start do not wait for
 * a cold JIT, cold classes and a cold store path, past {@code http.webhook_deadline_ms}, into the fallback: the
 * signature check, then each voice flow's first node through the engine and the TwiML in each of its languages, then
 * {@link CallService#incoming} rehearsed with a made-up call whose inserts are rolled back, a few times within a
 * small time budget. It leaves nothing: no contact, no audit event, no metric, no log line but its own (counts and
 * milliseconds). A failure only ends it early (logged): the gateway starts all the same.
 */
public final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  /** Rehearsed new calls: at most this many, and no more once the budget is spent. */
  static final int MAX_CALLS = 40;
  static final long BUDGET_MS = 750;

  private final CallService calls;
  private final TwimlRenderer twiml;
  private final FlowCatalog flows;
  private final FlowEngine engine;
  private final Store store;

  public WarmUp(CallService calls, TwimlRenderer twiml, FlowCatalog flows, FlowEngine engine, Store store) {
    this.calls = calls;
    this.twiml = twiml;
    this.flows = flows;
    this.engine = engine;
    this.store = store;
  }

  /** Blocking: run it on a worker. Returns how many new calls were rehearsed against the store. */
  public int run() {
    long start = System.nanoTime();
    int rehearsed = 0;
    try {
      // the SDK's validator on a token and URL of its own: the same code, and no failed-signature count
      new TwilioSignatures("warm-up", URI.create("http://localhost")).valid("/twilio/voice/incoming",
          Map.of("CallSid", "CA" + "0".repeat(32), "From", "+84000000000"), "d2FybS11cA==");
      var ctx = new FlowEngine.Context("00000000", true);
      for (var flow : flows.all()) {
        for (var l : flow.languages()) {
          var step = engine.start(flow, ctx, l.code());
          if (flow.channel().equals("voice")) {
            render(step.instruction(), "0".repeat(8));
          }
        }
      }
      if (store.migrated() && !store.down()) {
        while (rehearsed < MAX_CALLS && elapsedMs(start) < BUDGET_MS) {
          var turn = calls.rehearseIncoming();
          render(turn.instruction(), turn.session().reference());
          rehearsed++;
        }
      }
      log.atInfo().addKeyValue("calls", rehearsed).addKeyValue("ms", elapsedMs(start))
          .log("warm-up done: new calls rehearsed, nothing kept");
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("calls", rehearsed).addKeyValue("ms", elapsedMs(start))
          .addKeyValue("error", e.getClass().getSimpleName()).log("warm-up ended early; starting anyway");
    }
    return rehearsed;
  }

  /** The TwiML of a first node, for a contact that does not exist (a handoff's ring targets are only read). */
  private void render(vn.hotline.gateway.flow.Instruction ins, String reference) {
    if (!(ins.action() instanceof vn.hotline.gateway.flow.Instruction.CollectText)) {
      twiml.render(ins, 0, reference, "00000000-0000-7000-8000-000000000000");
    }
  }

  private static long elapsedMs(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
