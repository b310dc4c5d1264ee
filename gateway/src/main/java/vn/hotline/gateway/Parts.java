package vn.hotline.gateway;

import vn.hotline.gateway.board.Board;
import vn.hotline.gateway.board.BoardFeed;
import vn.hotline.gateway.store.BoardRepository;
import vn.hotline.gateway.store.CardRepository;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import vn.hotline.gateway.audit.AuditLog;
import vn.hotline.gateway.audit.Pseudonyms;
import vn.hotline.gateway.audit.Sealer;
import vn.hotline.gateway.callers.CallerFlags;
import vn.hotline.gateway.casework.Casework;
import vn.hotline.gateway.config.GatewayConfig;
import vn.hotline.gateway.delivery.ContactClosing;
import vn.hotline.gateway.delivery.DeliveryWorker;
import vn.hotline.gateway.delivery.Editions;
import vn.hotline.gateway.delivery.Outbox;
import vn.hotline.gateway.delivery.Routing;
import vn.hotline.gateway.delivery.RoutingLoader;
import vn.hotline.gateway.delivery.WebhookPayload;
import vn.hotline.gateway.flow.FlowCatalog;
import vn.hotline.gateway.flow.FlowDefinition;
import vn.hotline.gateway.flow.FlowEngine;
import vn.hotline.gateway.flow.FlowException;
import vn.hotline.gateway.flow.FlowLoader;
import vn.hotline.gateway.followup.Callbacks;
import vn.hotline.gateway.followup.Followups;
import vn.hotline.gateway.followup.TwilioCalls;
import vn.hotline.gateway.operators.Accounts;
import vn.hotline.gateway.operators.Sessions;
import vn.hotline.gateway.ops.Metrics;
import vn.hotline.gateway.ops.OpsRoutes;
import vn.hotline.gateway.ops.RateLimits;
import vn.hotline.gateway.privacy.RecordingDeletions;
import vn.hotline.gateway.privacy.Retention;
import vn.hotline.gateway.report.Provinces;
import vn.hotline.gateway.report.ReportPolicy;
import vn.hotline.gateway.report.Taxonomy;
import vn.hotline.gateway.sms.SmsConversations;
import vn.hotline.gateway.sms.SmsInbox;
import vn.hotline.gateway.sms.SmsTakeovers;
import vn.hotline.gateway.sms.smpp.SmppConnections;
import vn.hotline.gateway.sms.twilio.TwilioSmsSender;
import vn.hotline.gateway.intake.Intake;
import vn.hotline.gateway.store.ApiKeyRepository;
import vn.hotline.gateway.store.ContentItemRepository;
import vn.hotline.gateway.store.IntakeRepository;
import vn.hotline.gateway.store.CallbackRepository;
import vn.hotline.gateway.store.CallerFlagRepository;
import vn.hotline.gateway.store.HandoffRepository;
import vn.hotline.gateway.store.CaseRepository;
import vn.hotline.gateway.store.DeliveryRepository;
import vn.hotline.gateway.store.FollowupRepository;
import vn.hotline.gateway.store.OperatorRepository;
import vn.hotline.gateway.store.PresenceRepository;
import vn.hotline.gateway.store.RecordingRepository;
import vn.hotline.gateway.store.ReportRepository;
import vn.hotline.gateway.store.SessionRepository;
import vn.hotline.gateway.store.SmsRepository;
import vn.hotline.gateway.store.Store;
import vn.hotline.gateway.twilio.TwilioRecordings;
import vn.hotline.gateway.store.TakeoverRepository;
import vn.hotline.gateway.twilio.TwilioSignatures;
import vn.hotline.gateway.twilio.TwilioWebhookGuard;
import vn.hotline.gateway.voice.CallService;
import vn.hotline.gateway.voice.AvailableCounsellors;
import vn.hotline.gateway.voice.RingTargets;
import vn.hotline.gateway.voice.TwimlRenderer;
import vn.hotline.gateway.voice.AgentLine;
import vn.hotline.gateway.voice.Whispers;

/**
 * Every part of one gateway, built once from the config and the files it names; the feature verticles take
 * what they need from here. Building starts nothing: no thread, no timer, no listener.
 */
final class Parts {
  /** The files the config names, read and checked against each other: a broken one stops startup, named. */
  record Files(Provinces provinces, Taxonomy taxonomy, Routing routing, Map<String, Set<String>> valueLists,
      FlowCatalog flows, FlowDefinition voiceFlow, FlowDefinition smsFlow) {
    static Files read(GatewayConfig cfg) {
      var provinces = Provinces.load(cfg.provincesFile());
      var taxonomy = Taxonomy.load(cfg.taxonomyFile());
      var routing = RoutingLoader.load(cfg, taxonomy, provinces, cfg.env().variables());
      Map<String, Set<String>> valueLists = Map.of("provinces", provinces.byCode().keySet());
      var flows = new FlowLoader(valueLists).loadDirectory(cfg.flowsDir());
      TwimlRenderer.checkVoices(flows);
      taxonomy.check(flows);
      return new Files(provinces, taxonomy, routing, valueLists, flows, pick(flows, cfg, cfg.voiceFlow(), "voice", "voice_flow"),
          pick(flows, cfg, cfg.sms().flow(), "sms", "sms.flow"));
    }

    /** The flow engine over these files: the value lists, and the names of the provinces (report.Places). */
    FlowEngine engine() {
      return new FlowEngine(valueLists, Map.of("provinces", provinces.places()));
    }

    private static FlowDefinition pick(FlowCatalog flows, GatewayConfig cfg, String id, String channel, String key) {
      var flow = flows.find(id).orElseThrow(() -> new FlowException(cfg.flowsDir() + ": " + key + " '" + id
          + "' is not loaded (flows: " + flows.flows().keySet() + ")"));
      if (!flow.channel().equals(channel)) {
        throw new FlowException(flow.file() + ": " + key + " must name a " + channel + " flow, not a " + flow.channel() + " one");
      }
      return flow;
    }
  }

  final GatewayConfig cfg;
  final Clock clock;
  final Store store;
  final Metrics metrics;
  final Files files;
  /** The webhooks' and the API's pool for store work (never an event loop). */
  final WorkerExecutor workers;
  final AuditLog audit = new AuditLog();
  final Pseudonyms pseudonyms;
  final ReportRepository reports;
  final DeliveryRepository deliveries;
  final CaseRepository cases;
  final Editions editions;
  final Casework casework;
  final WebhookPayload payloads;
  final SessionRepository sessions;
  final SmsRepository sms;
  final ApiKeyRepository apiKeys;
  /** Reports that come in whole: the web form (/report) and partners' systems (/api/v1/intake). */
  final Intake intake;
  final IntakeRepository intakeRepository;
  final CallService calls;
  final CallerFlags callerFlags;
  final Whispers whispers;
  /** The counsellors' line of enqueue mode: a counsellor calls in to take the next waiting child. */
  final AgentLine agentLine;
  final TwimlRenderer renderer;
  final TwilioWebhookGuard guard;
  final SmsConversations conversations;
  final TwilioSmsSender twilioSms;
  final SmsInbox inbox;
  final SmppConnections smpp;
  final DeliveryWorker delivery;
  final Retention retention;
  final OpsRoutes ops;
  final Board board;
  final BoardFeed boardFeed;
  final CardRepository cards;
  /** The console's accounts and sessions. */
  final OperatorRepository operators;
  /** Counsellors' presence and whose each contact is. */
  final PresenceRepository presence;
  final Accounts accounts;
  final Sessions consoleSessions;
  /** Follow-up tasks: the promises made to callers, until a person has kept them. */
  final Followups followups;
  /** "Call back" on a callback task: the counsellor's phone, then the child's, through Twilio. */
  final Callbacks callbacks;
  /** Voicemails at Twilio: the references, who played them, the deletions owed there. */
  final RecordingRepository recordings;
  final TwilioRecordings twilioRecordings;
  final RecordingDeletions recordingDeletions;
  /** SMS conversations a counsellor answers in person. */
  final SmsTakeovers takeovers;
  final TakeoverRepository takeoverRepository;

  Parts(Vertx vertx, GatewayConfig cfg, Clock clock, Store store, Metrics metrics, Files files) {
    this.cfg = cfg;
    this.clock = clock;
    this.store = store;
    this.metrics = metrics;
    this.files = files;
    this.workers = vertx.createSharedWorkerExecutor("store", cfg.db().poolSize() + 2, 60, TimeUnit.SECONDS);
    var sealer = Sealer.parse(cfg.privacy().encryptionKeys());
    this.pseudonyms = Pseudonyms.parse(cfg.privacy().pseudonymKey());
    this.reports = new ReportRepository(store, sealer, audit);
    this.deliveries = new DeliveryRepository(store, audit);
    this.cases = new CaseRepository(store, sealer);
    this.editions = new Editions(reports, cases);
    var contentItems = new ContentItemRepository(store, sealer, pseudonyms);
    this.intakeRepository = new IntakeRepository(store, sealer);
    this.payloads = new WebhookPayload(files.provinces(), contentItems, intakeRepository);
    var outbox = new Outbox(deliveries, cases, audit);
    var closing = new ContactClosing(new ReportPolicy(), reports, files.routing(), outbox, contentItems);
    this.intake = new Intake(store, intakeRepository, reports, contentItems, files.routing(), outbox, audit,
        files.taxonomy(), files.provinces(), clock, Addresses.publisher(vertx, Addresses.DELIVERY_DUE));
    this.casework = new Casework(store, reports, cases, deliveries, outbox, files.routing(), files.taxonomy(),
        files.provinces(), audit, clock, Addresses.publisher(vertx, Addresses.DELIVERY_DUE));
    var followupTasks = new FollowupRepository(store, audit);
    this.followups = new Followups(store, followupTasks, audit, files.flows(), cfg.followup(), clock);
    // One transaction ends a contact: its report and deliveries, then the follow-up task a promise made it owe.
    SessionRepository.OnClose onClose = (c, s, outcome, now) -> {
      closing.closed(c, s, outcome, now);
      followups.closed(c, s, outcome, now);
    };
    this.sessions = new SessionRepository(store, sealer, audit, onClose);
    var engine = files.engine();
    this.presence = new PresenceRepository(store, sealer, audit);
    // A counsellor who presses 1 is given the contact in the same transaction: not rung again while on it.
    var handoffs = new HandoffRepository(store, sealer, audit,
        (c, contactId, operatorId, now) -> presence.assign(c, contactId, operatorId, "voice", now));
    this.callerFlags = new CallerFlags(new CallerFlagRepository(store, sealer, audit), clock);
    this.calls = new CallService(files.voiceFlow(), engine, sessions, pseudonyms, cfg.operators().hours(), metrics, clock,
        callerFlags, handoffs);
    this.whispers = new Whispers(files.voiceFlow(), files.taxonomy(), sessions, handoffs, clock,
        (contactId, operatorId) -> vertx.eventBus().publish(Addresses.CONTACT_TAKEN,
            new JsonObject().put("contact", contactId).put("operator", operatorId)));
    // Which phones a handoff rings: the Available counsellors', else the configured numbers, else the fallback.
    this.renderer = new TwimlRenderer(cfg.operators(), cfg.fallbackNumber(), new AvailableCounsellors(presence,
        RingTargets.configured(cfg.operators().numbers(), cfg.fallbackNumber())));
    var signatures = new TwilioSignatures(cfg.twilio().authToken(), cfg.publicUrl());
    this.guard = new TwilioWebhookGuard(signatures, metrics, cfg.http().maxBodyBytes(),
        new TwilioWebhookGuard.Limits(new RateLimits(clock), cfg.limits().failedAuthPerMinute(),
            (kind, source) -> workers.executeBlocking(() -> store.inTransaction(c -> {
              audit.append(c, "ratelimit.exceeded", "gateway", Map.of(), Map.of("kind", kind), clock.instant());
              return null;
            }), false),
            (reason, webhook) -> workers.executeBlocking(() -> store.inTransaction(c -> {
              audit.append(c, "webhook.refused", "gateway", Map.of(), Map.of("reason", reason, "webhook", webhook),
                  clock.instant());
              return null;
            }), false)));
    this.sms = new SmsRepository(store, sealer, audit);
    var takeoverRepository = new TakeoverRepository(store, sealer, audit);
    java.util.function.Consumer<String> conversationChanged = contactId -> vertx.eventBus()
        .publish(Addresses.SMS_CONVERSATION, new JsonObject().put("contact", contactId));
    this.conversations = new SmsConversations(files.smsFlow(), engine, sessions, sms, store, metrics, clock,
        Duration.ofMinutes(cfg.sms().reminderAfterMinutes()), Duration.ofMinutes(cfg.sms().sessionIdleMinutes()),
        takeoverRepository, conversationChanged);
    this.takeovers = new SmsTakeovers(store, takeoverRepository, sms, sessions, followups, metrics, clock,
        Addresses.publisher(vertx, Addresses.REPLIES_QUEUED), conversationChanged);
    this.takeoverRepository = takeoverRepository;
    this.twilioSms = new TwilioSmsSender(cfg.twilio(), cfg.publicUrl(), sms, clock);
    this.inbox = new SmsInbox(conversations, sms, store, clock, Addresses.publisher(vertx, Addresses.REPLIES_QUEUED));
    this.smpp = new SmppConnections(cfg.smppLinks(), sms, pseudonyms, metrics, clock,
        Duration.ofSeconds(cfg.sms().dedupeWindowSeconds()), Addresses.publisher(vertx, Addresses.SMS_STORED));
    this.apiKeys = new ApiKeyRepository(store, audit);
    this.delivery = new DeliveryWorker(files.routing(), deliveries, editions, payloads, cfg.delivery(), metrics, clock);
    this.retention = new Retention(store, audit, cfg.retention(), files.routing().freeTextDays());
    var boardRepository = new BoardRepository(store);
    this.board = new Board(boardRepository, files.flows(), cfg.operators().hours().zone(), clock, presence, casework,
        followups);
    this.boardFeed = new BoardFeed(vertx, board);
    this.cards = new CardRepository(store, sealer, audit);
    this.recordings = new RecordingRepository(store, sealer, audit);
    this.twilioRecordings = new TwilioRecordings(cfg.twilio());
    this.recordingDeletions = new RecordingDeletions(recordings, twilioRecordings::delete, twilioRecordings.configured(),
        clock);
    this.ops = new OpsRoutes(store, files.flows(), metrics, workers, smpp::states);
    this.operators = new OperatorRepository(store, sealer, audit);
    this.accounts = new Accounts(operators, clock);
    this.agentLine = new AgentLine(files.voiceFlow(), operators, boardRepository, sessions, whispers);
    this.callbacks = new Callbacks(store, followupTasks, followups, new CallbackRepository(store, sealer, audit), operators,
        new TwilioCalls(cfg.twilio()), new Callbacks.Settings(cfg.publicUrl(), cfg.operators().callerId(),
            cfg.operators().ringTimeoutSeconds(), cfg.operators().whisperTimeoutSeconds(),
            cfg.followup().callbackRingSeconds()), clock);
    this.consoleSessions = new Sessions(operators, clock, Duration.ofMinutes(cfg.console().sessionIdleMinutes()),
        Duration.ofHours(cfg.console().sessionAbsoluteHours()));
  }
}
