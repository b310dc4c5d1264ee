// IVR webhook benchmark: plays Twilio against a running gateway, with signed requests, at fixed concurrency.
//
//   java bench/IvrBench.java --to http://localhost:8181 --token <token> \
//       --mode baseline,new-call,whole-call --concurrency 1,4,16,32 --seconds 10 --warmup 5 [--rounds 1]
//
// Modes (each step runs every listed mode in turn at one concurrency, so a baseline is measured next to each
// measured step, alternating; --rounds repeats the whole sequence):
//   new-call    POST /twilio/voice/incoming only (a new call each time);
//   whole-call  a whole call walking the 111 flow: incoming, then the Gather actions pressing 1 (Vietnamese),
//               2 (report), 1 (physical violence), 1 (self), 4 (13-15), 01 (province), following Redirects, then
//               the status callback "completed"; every webhook is one request in the figures;
//   baseline    GET /health/live with the same client and concurrency.
// Every request is signed as Twilio signs (X-Twilio-Signature = base64(HMAC-SHA1(token, public URL + path + each
// POST parameter name and value sorted by name))); --public-url is what the gateway checks against
// (GATEWAY_PUBLIC_URL; dev default http://localhost:<port>, so it defaults to --to). Every call has its own
// CallSid and its own From number (+8490 and a counter), so limits.calls_per_minute never applies.
// An answer counts as the fallback when it is TwimlRenderer.fallback's (its "chuyển bạn tới tư vấn viên" apology),
// or when the first answer of a call dials instead of gathering; busy (<Reject>) answers are counted apart.
// No dependencies: JDK 21+ only (java.net.http.HttpClient over HTTP/1.1 with keep-alive, one virtual thread per
// worker).
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public final class IvrBench {
  private static final List<String> MODES = List.of("new-call", "whole-call", "baseline");
  /** The fixed path of a whole call: Vietnamese, report, physical violence, self, age 13-15, province 01. */
  private static final List<String> KEYS = List.of("1", "2", "1", "1", "4", "01");
  private static final String FALLBACK_TEXT = "chuyển bạn tới tư vấn viên";
  private static final Pattern GATHER_ACTION = Pattern.compile("<Gather\\b[^>]*\\baction=\"([^\"]*)\"");
  private static final Pattern REDIRECT = Pattern.compile("<Redirect\\b[^>]*>([^<]*)</Redirect>");
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String target;
  private final String publicBase;
  private final byte[] token;
  private final AtomicLong callCounter;
  private final SecureRandom random = new SecureRandom();
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  IvrBench(String target, String publicBase, String token) {
    this.target = target.replaceFirst("/+$", "");
    this.publicBase = publicBase.replaceFirst("/+$", "");
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.callCounter = new AtomicLong(random.nextInt(9_000_000)); // +8490 and 7 digits; a fresh range each run
  }

  /** What one worker saw during a step. */
  static final class Tally {
    long[] latencies = new long[1 << 14];
    int n;
    long fallback;
    long busy;
    long unexpected;
    long errors;
    long calls;
    String firstProblem;

    void add(long nanos) {
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = nanos;
    }

    void problem(String what) {
      if (firstProblem == null) {
        firstProblem = what;
      }
    }
  }

  record Step(String mode, int concurrency, int round, long requests, double seconds, double perSecond, double p50,
      double p99, double max, long fallback, long busy, long unexpected, long errors, long calls, String problem) {
    double fallbackShare() {
      return requests == 0 ? 0 : (double) fallback / requests;
    }
  }

  public static void main(String[] args) throws Exception {
    var opts = new LinkedHashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        usage("unexpected argument " + args[i]);
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    for (var k : opts.keySet()) {
      if (!List.of("to", "public-url", "token", "mode", "concurrency", "seconds", "warmup", "rounds").contains(k)) {
        usage("unknown option --" + k);
      }
    }
    var to = opts.getOrDefault("to", "http://localhost:8080");
    var token = opts.getOrDefault("token", System.getenv("TWILIO_AUTH_TOKEN"));
    if (token == null || token.isBlank()) {
      usage("--token (or TWILIO_AUTH_TOKEN) is required: the gateway's Twilio auth token");
    }
    var modes = List.of(opts.getOrDefault("mode", "baseline,new-call").split(","));
    for (var m : modes) {
      if (!MODES.contains(m)) {
        usage("--mode must be a list of " + MODES + ", not " + m);
      }
    }
    var concurrency = Arrays.stream(opts.getOrDefault("concurrency", "1,4,16,32").split(","))
        .mapToInt(Integer::parseInt).toArray();
    double seconds = Double.parseDouble(opts.getOrDefault("seconds", "10"));
    double warmup = Double.parseDouble(opts.getOrDefault("warmup", "5"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "1"));
    var bench = new IvrBench(to, opts.getOrDefault("public-url", to), token);

    System.out.printf(Locale.ROOT, "IvrBench: %s (signed for %s), modes %s, concurrency %s, %s s per step, warmup %s s,"
            + " %d round(s), %d cores%n", bench.target, bench.publicBase, modes, Arrays.toString(concurrency), seconds,
        warmup, rounds, Runtime.getRuntime().availableProcessors());
    bench.check();
    if (warmup > 0) {
      int top = Arrays.stream(concurrency).max().orElse(1);
      for (var m : modes) {
        var w = bench.run(m, top, warmup, 0);
        System.out.printf(Locale.ROOT, "warmup %-10s c=%-3d %s%n", m, top, line(w));
      }
    }
    var steps = new ArrayList<Step>();
    for (int r = 1; r <= rounds; r++) {
      for (int c : concurrency) {
        for (var m : modes) {
          var s = bench.run(m, c, seconds, r);
          steps.add(s);
          System.out.printf(Locale.ROOT, "round %d %-10s c=%-3d %s%n", r, m, c, line(s));
        }
      }
    }
    System.out.println();
    System.out.println("| round | mode | concurrency | requests | req/s | vs baseline | p50 ms | p99 ms | max ms | fallback | errors |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (var s : steps) {
      var base = steps.stream().filter(b -> b.mode().equals("baseline") && b.round() == s.round()
          && b.concurrency() == s.concurrency()).findFirst();
      var ratio = s.mode().equals("baseline") || base.isEmpty() ? "" : String.format(Locale.ROOT, "%.3f",
          s.perSecond() / base.get().perSecond());
      System.out.printf(Locale.ROOT, "| %d | %s | %d | %d | %.0f | %s | %.1f | %.1f | %.1f | %.2f %% | %d |%n", s.round(), s.mode(),
          s.concurrency(), s.requests(), s.perSecond(), ratio, s.p50(), s.p99(), s.max(), 100 * s.fallbackShare(),
          s.errors() + s.unexpected());
    }
    System.exit(0);
  }

  private static String line(Step s) {
    return String.format(Locale.ROOT, "%d requests in %.1f s: %.0f req/s%s, p50 %.1f ms, p99 %.1f ms, max %.1f ms,"
            + " fallback %d (%.2f %%), busy %d, unexpected %d, errors %d%s", s.requests(), s.seconds(), s.perSecond(),
        s.mode().equals("whole-call") ? String.format(Locale.ROOT, " (%.0f calls/s)", s.calls() / s.seconds()) : "",
        s.p50(), s.p99(), s.max(), s.fallback(), 100 * s.fallbackShare(), s.busy(), s.unexpected(), s.errors(),
        s.problem() == null ? "" : "; first problem: " + s.problem());
  }

  private static void usage(String why) {
    System.err.println("IvrBench: " + why);
    System.err.println("usage: java bench/IvrBench.java --to http://localhost:8181 --token <token> [--public-url URL]"
        + " [--mode baseline,new-call,whole-call] [--concurrency 1,4,16,32] [--seconds 10] [--warmup 5] [--rounds 1]");
    System.exit(2);
  }

  /** One signed new call before anything is measured: a wrong token or public URL fails here, not as 100 % errors. */
  private void check() throws IOException, InterruptedException {
    var r = post("/twilio/voice/incoming", params(newSid(), newFrom(), Map.of("CallStatus", "ringing")));
    if (r.statusCode() == 403) {
      throw new IllegalStateException("the gateway refused the signature (403): check --token and --public-url"
          + " (it must be the gateway's GATEWAY_PUBLIC_URL)");
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST /twilio/voice/incoming answered " + r.statusCode() + ": " + r.body());
    }
    System.out.println("check: a signed new call was answered 200, " + (r.body().contains("<Gather") ? "with the menu"
        : r.body().contains(FALLBACK_TEXT) ? "with the FALLBACK" : "with something else: " + r.body()));
  }

  Step run(String mode, int concurrency, double seconds, int round) throws InterruptedException {
    var tallies = new Tally[concurrency];
    var threads = new Thread[concurrency];
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    for (int i = 0; i < concurrency; i++) {
      var t = tallies[i] = new Tally();
      threads[i] = Thread.ofVirtual().start(() -> {
        while (System.nanoTime() < end) {
          try {
            switch (mode) {
              case "baseline" -> baseline(t);
              case "new-call" -> newCall(t);
              default -> wholeCall(t);
            }
          } catch (IOException e) {
            t.errors++;
            t.problem(e.toString());
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }
    for (var t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    int total = Arrays.stream(tallies).mapToInt(t -> t.n).sum();
    var all = new long[total];
    int at = 0;
    for (var t : tallies) {
      System.arraycopy(t.latencies, 0, all, at, t.n);
      at += t.n;
    }
    Arrays.sort(all);
    String problem = Arrays.stream(tallies).map(t -> t.firstProblem).filter(p -> p != null).findFirst().orElse(null);
    return new Step(mode, concurrency, round, total, elapsed, total / elapsed, pct(all, 0.50), pct(all, 0.99),
        total == 0 ? 0 : all[total - 1] / 1e6, sum(tallies, t -> t.fallback), sum(tallies, t -> t.busy),
        sum(tallies, t -> t.unexpected), sum(tallies, t -> t.errors), sum(tallies, t -> t.calls), problem);
  }

  private static long sum(Tally[] ts, java.util.function.ToLongFunction<Tally> f) {
    return Arrays.stream(ts).mapToLong(f).sum();
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private void baseline(Tally t) throws IOException, InterruptedException {
    var request = HttpRequest.newBuilder(URI.create(target + "/health/live")).timeout(TIMEOUT).GET().build();
    long t0 = System.nanoTime();
    var r = http.send(request, HttpResponse.BodyHandlers.ofString());
    t.add(System.nanoTime() - t0);
    if (r.statusCode() != 200) {
      t.errors++;
      t.problem("GET /health/live answered " + r.statusCode());
    }
  }

  private void newCall(Tally t) throws IOException, InterruptedException {
    var body = timed(t, "/twilio/voice/incoming", params(newSid(), newFrom(), Map.of("CallStatus", "ringing")));
    if (body != null) {
      first(t, body);
    }
  }

  /** Classifies the first answer of a call; true when it is the menu (a Gather). */
  private static boolean first(Tally t, String body) {
    if (body.contains(FALLBACK_TEXT) || (!body.contains("<Gather") && body.contains("<Dial"))) {
      t.fallback++;
      return false;
    }
    if (body.contains("<Reject")) {
      t.busy++;
      return false;
    }
    if (!body.contains("<Gather")) {
      t.unexpected++;
      t.problem("first answer without a Gather: " + body);
      return false;
    }
    return true;
  }

  private void wholeCall(Tally t) throws IOException, InterruptedException {
    var sid = newSid();
    var from = newFrom();
    var body = timed(t, "/twilio/voice/incoming", params(sid, from, Map.of("CallStatus", "ringing")));
    if (body == null || !first(t, body)) {
      return;
    }
    int key = 0;
    for (int hops = 0; hops < 20; hops++) { // a call started is finished, even past the step's end
      var gather = GATHER_ACTION.matcher(body);
      var redirect = REDIRECT.matcher(body);
      String next;
      Map<String, String> extra;
      if (gather.find() && key < KEYS.size()) {
        next = gather.group(1);
        extra = Map.of("Digits", KEYS.get(key++));
      } else if (redirect.find()) {
        next = redirect.group(1).trim();
        extra = Map.of();
      } else {
        break; // the handoff (a Dial or Enqueue): the caller talks with a person, then hangs up
      }
      body = timed(t, path(next), params(sid, from, extra));
      if (body == null) {
        return;
      }
      if (body.contains(FALLBACK_TEXT)) {
        t.fallback++;
        return;
      }
    }
    if (key < KEYS.size() || !(body.contains("<Dial") || body.contains("<Enqueue"))) {
      t.unexpected++;
      t.problem("the call did not reach the handoff after " + key + " keys: " + body);
    }
    if (timed(t, "/twilio/voice/status", params(sid, from, Map.of("CallStatus", "completed", "CallDuration", "180")))
        != null) {
      t.calls++;
    }
  }

  /** The TwiML's URL as a path and query (it may be absolute), with XML entities undone. */
  private static String path(String url) {
    var u = url.replace("&amp;", "&");
    if (u.startsWith("http")) {
      var uri = URI.create(u);
      return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }
    return u;
  }

  /** POSTs and times one webhook; the body on a 2xx, else null (counted as an error). */
  private String timed(Tally t, String path, Map<String, String> params) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    var r = post(path, params);
    t.add(System.nanoTime() - t0);
    if (r.statusCode() / 100 != 2) { // TwiML answers 200; the status callback 204
      t.errors++;
      t.problem("POST " + path + " answered " + r.statusCode());
      return null;
    }
    return r.body();
  }

  private HttpResponse<String> post(String path, Map<String, String> params) throws IOException, InterruptedException {
    var request = HttpRequest.newBuilder(URI.create(target + path)).timeout(TIMEOUT)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", sign(publicBase + path, params))
        .POST(HttpRequest.BodyPublishers.ofString(form(params))).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The parameters Twilio sends with every voice webhook of a call, then the step's own. */
  private static Map<String, String> params(String sid, String from, Map<String, String> extra) {
    var p = new LinkedHashMap<String, String>();
    p.put("CallSid", sid);
    p.put("AccountSid", "AC0000000000000000000000000000bench");
    p.put("From", from);
    p.put("To", "111");
    p.put("Caller", from);
    p.put("Called", "111");
    p.put("Direction", "inbound");
    p.put("ApiVersion", "2010-04-01");
    p.put("CallStatus", "in-progress");
    p.putAll(extra);
    return p;
  }

  private String newSid() {
    var b = new byte[16];
    random.nextBytes(b);
    return "CA" + HexFormat.of().formatHex(b);
  }

  private String newFrom() {
    return String.format(Locale.ROOT, "+8490%07d", callCounter.getAndIncrement() % 10_000_000);
  }

  /** Twilio's rule: the URL, then each POST parameter name followed by its value, sorted by name; HMAC-SHA1; base64. */
  String sign(String url, Map<String, String> params) {
    var data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
    var mac = macs.get();
    return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private Mac newMac() {
    try {
      var mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(token, "HmacSHA1"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(Map<String, String> params) {
    var body = new StringBuilder();
    params.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return body.toString();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
