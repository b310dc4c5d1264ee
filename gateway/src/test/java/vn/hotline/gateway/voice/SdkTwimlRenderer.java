package vn.hotline.gateway.voice;

import com.twilio.http.HttpMethod;
import com.twilio.twiml.TwiMLException;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Dial;
import com.twilio.twiml.voice.Enqueue;
import com.twilio.twiml.voice.Gather;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Leave;
import com.twilio.twiml.voice.Number;
import com.twilio.twiml.voice.Pause;
import com.twilio.twiml.voice.Record;
import com.twilio.twiml.voice.Redirect;
import com.twilio.twiml.voice.Say;
import com.twilio.twiml.voice.Task;
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

/**
 * The model {@link TwimlRenderer} is checked against ({@link TwimlWriterTest}): the renderer as it was before it wrote
 * with util.Xml, the Twilio SDK's builders and {@code toXml}, kept as it was (only BASE is TwimlRenderer's).
 */
final class SdkTwimlRenderer {
  static final String BASE = TwimlRenderer.BASE;

  private static final Map<String, Say.Voice> VOICES = Arrays.stream(Say.Voice.values())
      .collect(Collectors.toMap(Say.Voice::toString, Function.identity(), (a, b) -> a));

  private final GatewayConfig.Operators operators;
  private final String fallbackNumber;
  private final RingTargets ring;

  /** @param ring which phones a dial-mode handoff rings (asked on the worker that renders, see {@link #render}) */
  SdkTwimlRenderer(GatewayConfig.Operators operators, String fallbackNumber, RingTargets ring) {
    this.operators = operators;
    this.fallbackNumber = fallbackNumber;
    this.ring = ring;
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
    var response = new VoiceResponse.Builder();
    var says = ins.lines().stream().map(SdkTwimlRenderer::say).toList();
    var url = stepPath(ins.action().nodeId(), seq);
    switch (ins.action()) {
      case Instruction.CollectDigits c -> {
        var gather = new Gather.Builder()
            .inputs(c.listen() == null ? java.util.List.of(Gather.Input.DTMF)
                : java.util.List.of(Gather.Input.DTMF, Gather.Input.SPEECH))
            .action(url)
            .method(HttpMethod.POST)
            .timeout(c.timeoutSeconds())
            .actionOnEmptyResult(true); // silence reaches us too, so we re-prompt instead of Twilio hanging up
        if (c.listen() != null) {
          gather.language(java.util.Arrays.stream(Gather.Language.values())
              .filter(l -> l.toString().equals(c.listen().language())).findFirst().orElseThrow());
          if (!c.listen().hints().isEmpty()) {
            gather.hints(String.join(", ", c.listen().hints()));
          }
        }
        if (c.minDigits() == c.maxDigits()) {
          gather.numDigits(c.maxDigits());
        } else {
          gather.finishOnKey("#");
        }
        says.forEach(gather::say); // inside the Gather: a caller who knows the menu need not wait
        response.gather(gather.build());
      }
      case Instruction.RecordMessage r -> {
        says.forEach(response::say);
        response.record(new Record.Builder()
            .action(url)
            .method(HttpMethod.POST)
            .maxLength(r.maxSeconds())
            .timeout(6)
            .finishOnKey("#")
            .playBeep(true)
            .transcribe(r.transcribe())
            .build());
        // Twilio goes on to the next verb when nothing was recorded: tell the flow so it still moves on.
        response.redirect(new Redirect.Builder(url + "&event=no-recording").method(HttpMethod.POST).build());
      }
      case Instruction.ConnectOperator o -> {
        says.forEach(response::say);
        if (operators.mode() == GatewayConfig.HandoffMode.ENQUEUE) {
          response.enqueue(enqueue(o, url, ins.lines().isEmpty() ? null : ins.lines().get(0).language(), reference));
        } else {
          // the Dial's end says whisper=1: only a counsellor who pressed 1 counts as an answer (CallService.step)
          response.dial(dial(o, url + "&whisper=1", contactId, seq));
        }
      }
      case Instruction.Hangup h -> {
        says.forEach(response::say);
        response.hangup(new Hangup.Builder().build());
      }
      case Instruction.CollectText t ->
          throw new IllegalStateException("node '" + t.nodeId() + "' waits for text, which a call cannot give");
    }
    return xml(response.build());
  }

  /**
   * Rings every target at once; each {@code <Number url>} plays that counsellor the whisper when they pick up,
   * and only pressing 1 there puts the child through (Twilio keeps the caller hearing the ring meanwhile).
   */
  private Dial dial(Instruction.ConnectOperator o, String action, String contactId, int seq) {
    var dial = new Dial.Builder()
        .action(action)
        .method(HttpMethod.POST)
        .timeout(operators.ringTimeoutSeconds())
        .answerOnBridge(true);
    if (!operators.callerId().isEmpty()) {
      dial.callerId(operators.callerId());
    }
    var targets = ring.forHandoff(new RingTargets.Handoff(contactId, o.nodeId(), o.priority(), o.queue()));
    if (targets.isEmpty()) {
      targets = List.of(new RingTargets.Target(fallbackNumber, null, null));
    }
    targets.stream().limit(10).forEach(t -> dial.number(new Number.Builder(t.number())
        .url(whisperPath(contactId, seq, t.operatorId(), t.language()))
        .method(HttpMethod.POST)
        .build()));
    return dial.build();
  }

  /**
   * The whisper on a counsellor's leg: the lines inside a one-key Gather whose key goes to {@code keyAction}.
   * No key within {@code operators.whisper_timeout_seconds} falls through to the Hangup: a voicemail or a missed
   * key is not an answer, and only this leg ends (the other phones ring on, then the Dial's no-answer path).
   */
  public String whisper(List<Instruction.Line> lines, String keyAction) {
    var gather = new Gather.Builder()
        .inputs(Gather.Input.DTMF)
        .numDigits(1)
        .timeout(operators.whisperTimeoutSeconds())
        .action(keyAction)
        .method(HttpMethod.POST)
        .pause(new Pause.Builder().length(1).build()); // the counsellor's "hello?" before the first word
    lines.forEach(l -> gather.say(say(l)));
    return xml(new VoiceResponse.Builder().gather(gather.build()).hangup(new Hangup.Builder().build()).build());
  }

  /** Ends this leg only (a counsellor's leg that did not take the call). */
  public static String hangup() {
    return xml(new VoiceResponse.Builder().hangup(new Hangup.Builder().build()).build());
  }

  private Enqueue enqueue(Instruction.ConnectOperator o, String action, String language, String reference) {
    var wait = BASE + "/wait?node=" + enc(o.nodeId()) + (language == null ? "" : "&lang=" + enc(language));
    var enqueue = new Enqueue.Builder()
        .action(action)
        .method(HttpMethod.POST)
        .waitUrl(wait)
        .waitUrlMethod(HttpMethod.POST);
    if (operators.workflowSid().isEmpty()) {
      return enqueue.name(o.queue()).build();
    }
    // TaskRouter: the operator's screen gets the queue, priority and reference, never the caller's number.
    var attributes = "{\"queue\":\"" + o.queue() + "\",\"priority\":\"" + o.priority().name().toLowerCase(Locale.ROOT)
        + "\",\"reference\":\"" + reference + "\"}";
    return enqueue.workflowSid(operators.workflowSid())
        .task(new Task.Builder(attributes).priority(o.priority().taskPriority).build())
        .build();
  }

  /** Hold TwiML for a caller in an operator queue; after the configured wait, leave for the voicemail path. */
  public String hold(int queueSeconds, List<Instruction.Line> holdLines) {
    var response = new VoiceResponse.Builder();
    if (queueSeconds >= operators.queueWaitSeconds()) {
      response.leave(new Leave.Builder().build());
    } else {
      holdLines.forEach(l -> response.say(say(l)));
      response.pause(new Pause.Builder().length(10).build());
    }
    return xml(response.build());
  }

  /** What every failure answers: an apology and the fallback number. Built once; it needs no store. */
  public String fallback() {
    return xml(new VoiceResponse.Builder()
        .say(new Say.Builder("Xin lỗi, chúng tôi đang chuyển bạn tới tư vấn viên. Xin vui lòng giữ máy.")
            .language(Say.Language.VI_VN).build())
        .say(new Say.Builder("Please hold, we are connecting you to a counsellor.")
            .language(Say.Language.EN_US).build())
        .dial(new Dial.Builder().timeout(60).number(new Number.Builder(fallbackNumber).build()).build())
        .build());
  }

  /** A busy signal: for a number calling far more often than any person can. */
  public static String busy() {
    return xml(new VoiceResponse.Builder().reject(new com.twilio.twiml.voice.Reject.Builder()
        .reason(com.twilio.twiml.voice.Reject.Reason.BUSY).build()).build());
  }

  /** Where the agent line's key goes: the contact the counsellor heard about, its handoff's seq, who, which queue. */
  public static String agentKeyPath(String contactId, int seq, String op, String lang, String queue) {
    return BASE + "/agent/key?" + whisperQuery(contactId, seq, op, lang) + "&queue=" + enc(queue);
  }

  /**
   * The agent line once the counsellor pressed 1: dial the queue; Twilio requests the Queue url on the child's leg
   * as it is dequeued (CallSid the child's call, DequeingCallSid this one), which records who took it.
   */
  public static String dequeue(String queue, String op) {
    var q = new com.twilio.twiml.voice.Queue.Builder(queue).url(BASE + "/agent/dequeued?op=" + enc(op))
        .method(HttpMethod.POST).build();
    return xml(new VoiceResponse.Builder().dial(new Dial.Builder().queue(q).build()).build());
  }

  /** Lines said, then the call ends (the agent line with nobody to take, or a number that is no counsellor's). */
  public static String sayAndHangUp(List<Instruction.Line> lines) {
    var r = new VoiceResponse.Builder();
    lines.forEach(l -> r.say(say(l)));
    return xml(r.hangup(new Hangup.Builder().build()).build());
  }

  /** An empty response, for callbacks that need no TwiML. */
  public static String empty() {
    return xml(new VoiceResponse.Builder().build());
  }

  private static Say say(Instruction.Line line) {
    var b = new Say.Builder(line.text());
    var lang = language(line.language());
    if (lang != null) {
      b.language(lang);
    }
    if (line.voice() != null) {
      b.voice(VOICES.get(line.voice()));
    }
    return b.build();
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

  private static String xml(VoiceResponse r) {
    try {
      return r.toXml();
    } catch (TwiMLException e) {
      throw new IllegalStateException("TwiML could not be written", e);
    }
  }
}
