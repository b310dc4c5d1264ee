package vn.hotline.gateway.voice;

import com.twilio.twiml.voice.Say;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.FlowException;
import vn.hotline.gateway.flow.Instruction;
import vn.hotline.gateway.util.Xml;

/**
 * Turns engine instructions into TwiML (https://www.twilio.com/docs/voice/twiml), written with {@link Xml}: the
 * verbs and attributes the Twilio SDK's builders made, without its JAXP round trip per answer (the SDK's enums still
 * check the flows' languages and voices at startup). Every action points back at a step URL that carries the node
 * and the session's sequence number, so a late or repeated callback is recognised.
 */
public final class TwimlRenderer {
  static final String BASE = "/twilio/voice";
  private static final String POST = "POST";

  private static final Map<String, Say.Voice> VOICES = Arrays.stream(Say.Voice.values())
      .collect(Collectors.toMap(Say.Voice::toString, Function.identity(), (a, b) -> a));

  private final GatewayConfig.Operators operators;
  private final String fallbackNumber;
  private final RingTargets ring;

  /** @param ring which phones a dial-mode handoff rings (asked on the worker that renders, see {@link #render}) */
  public TwimlRenderer(GatewayConfig.Operators operators, String fallbackNumber, RingTargets ring) {
    this.operators = operators;
    this.fallbackNumber = fallbackNumber;
    this.ring = ring;
  }

  /** Refuses, at startup, a voice flow whose language or voice Twilio would not know. */
  public static void checkVoices(FlowCatalog flows) {
    for (var flow : flows.all()) {
      if (!flow.channel().equals("voice")) {
        continue;
      }
      for (var l : flow.languages()) {
        if (language(l.code()) == null) {
          throw new FlowException(flow.file() + ": language " + l.code() + " is not one Twilio <Say> speaks");
        }
        if (l.voice() != null && !VOICES.containsKey(l.voice())) {
          throw new FlowException(flow.file() + ": voice '" + l.voice() + "' for " + l.code()
              + " is not a Twilio <Say> voice (e.g. Google.vi-VN-Standard-A, Polly.Joanna)");
        }
      }
    }
  }

  public static String stepPath(String nodeId, int seq) {
    return BASE + "/step/" + nodeId + "?seq=" + seq;
  }

  /**
   * Where a counsellor's phone asks, once picked up, what to hear (the whisper); {@code op} and {@code lang} are
   * the target's operator id and language, left out when it has none.
   */
  public static String whisperPath(String contactId, int seq, String op, String lang) {
    return BASE + "/whisper?" + whisperQuery(contactId, seq, op, lang);
  }

  /** Where the key the counsellor pressed at the whisper goes. */
  public static String whisperKeyPath(String contactId, int seq, String op, String lang) {
    return BASE + "/whisper/key?" + whisperQuery(contactId, seq, op, lang);
  }

  private static String whisperQuery(String contactId, int seq, String op, String lang) {
    return "contact=" + enc(contactId) + "&seq=" + seq + (op == null ? "" : "&op=" + enc(op))
        + (lang == null ? "" : "&lang=" + enc(lang));
  }

  /**
   * The TwiML of one engine instruction. Runs on a store worker: a dial-mode handoff asks {@link RingTargets}
   * which phones to ring, and each gets the whisper of this contact at this seq.
   */
  public String render(Instruction ins, int seq, String reference, String contactId) {
    var response = Xml.element("Response");
    var url = stepPath(ins.action().nodeId(), seq);
    switch (ins.action()) {
      case Instruction.CollectDigits c -> {
        var gather = Xml.element("Gather")
            .attr("input", c.listen() == null ? "dtmf" : "dtmf speech")
            .attr("action", url)
            .attr("method", POST)
            .attr("timeout", c.timeoutSeconds())
            .attr("actionOnEmptyResult", true); // silence reaches us too, so we re-prompt instead of Twilio hanging up
        if (c.listen() != null) { // the answer may be said: SpeechResult and Confidence come back (VoiceRoutes.input)
          // no speechTimeout: it is then the Gather's timeout; "auto" is refused with Twilio's default model (13335)
          gather.attr("language", c.listen().language());
          if (!c.listen().hints().isEmpty()) {
            gather.attr("hints", String.join(", ", c.listen().hints()));
          }
        }
        if (c.minDigits() == c.maxDigits()) {
          gather.attr("numDigits", c.maxDigits());
        } else {
          gather.attr("finishOnKey", "#");
        }
        ins.lines().forEach(l -> gather.add(say(l))); // inside the Gather: a caller who knows the menu need not wait
        response.add(gather);
      }
      case Instruction.RecordMessage r -> {
        ins.lines().forEach(l -> response.add(say(l)));
        response.add(Xml.element("Record")
            .attr("action", url)
            .attr("method", POST)
            .attr("maxLength", r.maxSeconds())
            .attr("timeout", 6)
            .attr("finishOnKey", "#")
            .attr("playBeep", true)
            .attr("transcribe", r.transcribe()));
        // Twilio goes on to the next verb when nothing was recorded: tell the flow so it still moves on.
        response.add(Xml.element("Redirect").attr("method", POST).text(url + "&event=no-recording"));
      }
      case Instruction.ConnectOperator o -> {
        ins.lines().forEach(l -> response.add(say(l)));
        if (operators.mode() == GatewayConfig.HandoffMode.ENQUEUE) {
          response.add(enqueue(o, url, ins.lines().isEmpty() ? null : ins.lines().get(0).language(), reference));
        } else {
          // the Dial's end says whisper=1: only a counsellor who pressed 1 counts as an answer (CallService.step)
          response.add(dial(o, url + "&whisper=1", contactId, seq));
        }
      }
      case Instruction.Hangup h -> {
        ins.lines().forEach(l -> response.add(say(l)));
        response.add(Xml.element("Hangup"));
      }
      case Instruction.CollectText t ->
          throw new IllegalStateException("node '" + t.nodeId() + "' waits for text, which a call cannot give");
    }
    return response.document();
  }

  /**
   * Rings every target at once; each {@code <Number url>} plays that counsellor the whisper when they pick up,
   * and only pressing 1 there puts the child through (Twilio keeps the caller hearing the ring meanwhile).
   */
  private Xml dial(Instruction.ConnectOperator o, String action, String contactId, int seq) {
    var dial = Xml.element("Dial")
        .attr("action", action)
        .attr("method", POST)
        .attr("timeout", operators.ringTimeoutSeconds())
        .attr("answerOnBridge", true)
        .attr("callerId", operators.callerId().isEmpty() ? null : operators.callerId());
    var targets = ring.forHandoff(new RingTargets.Handoff(contactId, o.nodeId(), o.priority(), o.queue()));
    if (targets.isEmpty()) {
      targets = List.of(new RingTargets.Target(fallbackNumber, null, null));
    }
    targets.stream().limit(10).forEach(t -> dial.add(Xml.element("Number")
        .attr("url", whisperPath(contactId, seq, t.operatorId(), t.language()))
        .attr("method", POST)
        .text(t.number())));
    return dial;
  }

  /**
   * The whisper on a counsellor's leg: the lines inside a one-key Gather whose key goes to {@code keyAction}.
   * No key within {@code operators.whisper_timeout_seconds} falls through to the Hangup: a voicemail or a missed
   * key is not an answer, and only this leg ends (the other phones ring on, then the Dial's no-answer path).
   */
  public String whisper(List<Instruction.Line> lines, String keyAction) {
    var gather = Xml.element("Gather")
        .attr("input", "dtmf")
        .attr("numDigits", 1)
        .attr("timeout", operators.whisperTimeoutSeconds())
        .attr("action", keyAction)
        .attr("method", POST)
        .add(Xml.element("Pause").attr("length", 1)); // the counsellor's "hello?" before the first word
    lines.forEach(l -> gather.add(say(l)));
    return Xml.element("Response").add(gather).add(Xml.element("Hangup")).document();
  }

  /** Ends this leg only (a counsellor's leg that did not take the call). */
  public static String hangup() {
    return HANGUP;
  }

  private static final String HANGUP = Xml.element("Response").add(Xml.element("Hangup")).document();

  private Xml enqueue(Instruction.ConnectOperator o, String action, String language, String reference) {
    var wait = BASE + "/wait?node=" + enc(o.nodeId()) + (language == null ? "" : "&lang=" + enc(language));
    var enqueue = Xml.element("Enqueue")
        .attr("action", action)
        .attr("method", POST)
        .attr("waitUrl", wait)
        .attr("waitUrlMethod", POST);
    if (operators.workflowSid().isEmpty()) {
      return enqueue.text(o.queue());
    }
    // TaskRouter: the operator's screen gets the queue, priority and reference, never the caller's number.
    var attributes = "{\"queue\":\"" + o.queue() + "\",\"priority\":\"" + o.priority().name().toLowerCase(Locale.ROOT)
        + "\",\"reference\":\"" + reference + "\"}";
    return enqueue.attr("workflowSid", operators.workflowSid())
        .add(Xml.element("Task").attr("priority", o.priority().taskPriority).text(attributes));
  }

  /** Hold TwiML for a caller in an operator queue; after the configured wait, leave for the voicemail path. */
  public String hold(int queueSeconds, List<Instruction.Line> holdLines) {
    var response = Xml.element("Response");
    if (queueSeconds >= operators.queueWaitSeconds()) {
      response.add(Xml.element("Leave"));
    } else {
      holdLines.forEach(l -> response.add(say(l)));
      response.add(Xml.element("Pause").attr("length", 10));
    }
    return response.document();
  }

  /** What every failure answers: an apology and the fallback number. Built once; it needs no store. */
  public String fallback() {
    return Xml.element("Response")
        .add(Xml.element("Say").attr("language", "vi-VN")
            .text("Xin lỗi, chúng tôi đang chuyển bạn tới tư vấn viên. Xin vui lòng giữ máy."))
        .add(Xml.element("Say").attr("language", "en-US").text("Please hold, we are connecting you to a counsellor."))
        .add(Xml.element("Dial").attr("timeout", 60).add(Xml.element("Number").text(fallbackNumber)))
        .document();
  }

  /** A busy signal: for a number calling far more often than any person can. */
  public static String busy() {
    return BUSY;
  }

  private static final String BUSY = Xml.element("Response").add(Xml.element("Reject").attr("reason", "busy")).document();

  /** Where the agent line's key goes: the contact the counsellor heard about, its handoff's seq, who, which queue. */
  public static String agentKeyPath(String contactId, int seq, String op, String lang, String queue) {
    return BASE + "/agent/key?" + whisperQuery(contactId, seq, op, lang) + "&queue=" + enc(queue);
  }

  /**
   * The agent line once the counsellor pressed 1: dial the queue; Twilio requests the Queue url on the child's leg
   * as it is dequeued (CallSid the child's call, DequeingCallSid this one), which records who took it.
   */
  public static String dequeue(String queue, String op) {
    var q = Xml.element("Queue").attr("url", BASE + "/agent/dequeued?op=" + enc(op)).attr("method", POST).text(queue);
    return Xml.element("Response").add(Xml.element("Dial").add(q)).document();
  }

  /** Lines said, then the call ends (the agent line with nobody to take, or a number that is no counsellor's). */
  public static String sayAndHangUp(List<Instruction.Line> lines) {
    var r = Xml.element("Response");
    lines.forEach(l -> r.add(say(l)));
    return r.add(Xml.element("Hangup")).document();
  }

  /** An empty response, for callbacks that need no TwiML. */
  public static String empty() {
    return EMPTY;
  }

  private static final String EMPTY = Xml.element("Response").document();

  /** A {@code <Say>}: the language only when Twilio knows it (checked at startup, {@link #checkVoices}). */
  private static Xml say(Instruction.Line line) {
    return Xml.element("Say")
        .attr("language", language(line.language()) == null ? null : line.language())
        .attr("voice", line.voice() == null ? null : VOICES.get(line.voice()))
        .text(line.text());
  }

  private static final Map<String, Say.Language> LANGUAGES = new HashMap<>();

  static {
    for (var l : Say.Language.values()) {
      LANGUAGES.put(l.toString(), l);
    }
  }

  private static Say.Language language(String code) {
    return LANGUAGES.get(code);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
