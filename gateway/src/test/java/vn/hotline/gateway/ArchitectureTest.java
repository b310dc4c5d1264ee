package vn.hotline.gateway;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import vn.hotline.gateway.flow.FlowState;
import vn.hotline.gateway.flow.StepEvent;
import vn.hotline.gateway.report.Report;
import vn.hotline.gateway.util.OnWorker;

/**
 * The layering of docs/architecture.md, as rules the build checks. Bottom to top: util, config, audit, the
 * domain vocabulary (flow, report), store, then the features (delivery, privacy, voice, sms, api, stats, ops,
 * twilio), and the composition root (Main, Gateway) on top. A rule that fails names the class and the line.
 */
@AnalyzeClasses(packages = "vn.hotline.gateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule packagesFormNoCycle = slices().matching("vn.hotline.gateway.(*)..").should().beFreeOfCycles()
      .because("packages are layers that run downhill: when two packages use each other, neither can be read,"
          + " tested or changed alone, and a newcomer has no place to start");

  @ArchTest
  static final ArchRule featuresDoNotUseTools = noClasses().that().resideOutsideOfPackage("..tools..")
      .and().doNotHaveFullyQualifiedName("vn.hotline.gateway.Main")
      .should().dependOnClassesThat().resideInAPackage("..tools..")
      .allowEmptyShould(true)
      .because("the developer tools (test SMSC, call simulator, webhook receiver...) are for trying the gateway"
          + " out; only Main offers them as commands, so nothing the hotline runs on depends on them");

  @ArchTest
  static final ArchRule storeKnowsNoFeature = classes().that().resideInAPackage("vn.hotline.gateway.store..")
      .should().onlyDependOnClassesThat(resideOutsideOfPackage("vn.hotline.gateway..")
          .or(resideInAnyPackage("vn.hotline.gateway.store..", "vn.hotline.gateway.config..",
              "vn.hotline.gateway.audit..", "vn.hotline.gateway.util..", "vn.hotline.gateway.cli..",
              "vn.hotline.gateway.contact.."))
          .or(belongToAnyOf(FlowState.class, StepEvent.class, Report.class)))
      .because("the store writes and reads rows (transactions, SQL, sealing, the audit chain) and decides nothing:"
          + " which contact makes a report, where it goes or what a provider's status means is decided above it"
          + " (report.ReportPolicy, delivery.ContactClosing/Outbox/Routing, sms.twilio); it knows only the plain"
          + " records it stores (FlowState, StepEvent, Report) and the words of its columns (contact: Channel, the"
          + " statuses); StoreCommand, the base of the commands that open the"
          + " store, uses the commands' shared bottom (cli)");

  @ArchTest
  static final ArchRule cliIsTheBottom = classes().that().resideInAPackage("vn.hotline.gateway.cli..")
      .should().onlyDependOnClassesThat(resideOutsideOfPackage("vn.hotline.gateway..")
          .or(resideInAnyPackage("vn.hotline.gateway.cli..")))
      .because("every command (the service's, the operators', the developer tools) shares it, so it may use none");

  @ArchTest
  static final ArchRule configIsTheBottom = classes().that().resideInAPackage("vn.hotline.gateway.config..")
      .should().onlyDependOnClassesThat(resideOutsideOfPackage("vn.hotline.gateway..")
          .or(resideInAnyPackage("vn.hotline.gateway.config..", "vn.hotline.gateway.util..")))
      .because("every package reads the configuration, so configuration may use no feature (it would make a"
          + " circle); what it must check about a feature's values, e.g. the webhook secret format, lives in config");

  @ArchTest
  static final ArchRule oneJacksonSetup = noClasses().that().resideOutsideOfPackage("vn.hotline.gateway.util..")
      .should().callConstructorWhere(describe("makes an ObjectMapper",
          call -> call.getTargetOwner().isAssignableTo(com.fasterxml.jackson.databind.ObjectMapper.class)))
      .orShould().dependOnClassesThat().belongToAnyOf(com.fasterxml.jackson.dataformat.yaml.YAMLFactory.class,
          com.fasterxml.jackson.dataformat.yaml.YAMLMapper.class, com.fasterxml.jackson.databind.json.JsonMapper.class)
      .because("the JSON and YAML mappers are set up once, in util.Json (java.time, duplicate keys, canonical"
          + " order): a mapper made elsewhere reads or writes differently without anyone noticing");

  @ArchTest
  static final ArchRule oneOutgoingClient = noClasses()
      .that(describe("are not util.Outgoing and no developer tool",
          c -> !c.getName().startsWith("vn.hotline.gateway.util.Outgoing")
              && !c.getPackageName().startsWith("vn.hotline.gateway.tools")))
      .should().callMethod(java.net.http.HttpClient.class, "newBuilder")
      .orShould().callMethod(java.net.http.HttpClient.class, "newHttpClient")
      .because("the gateway's outgoing calls share one client, util.Outgoing (HTTP/1.1, redirects never followed,"
          + " made at the first call so startup pays no TLS setup); a developer tool may keep its own");

  @ArchTest
  static final ArchRule environmentIsReadAtTheEntry = noClasses()
      .that(describe("are below the composition root and no operator command or developer tool",
          c -> !c.getPackageName().equals("vn.hotline.gateway") && !c.getPackageName().startsWith("vn.hotline.gateway.tools")
              && !topLevelSimpleName(c).endsWith("Command")))
      .should().callMethod(System.class, "getenv")
      .orShould().callMethod(System.class, "getenv", String.class)
      .because("the environment is read once, at the process's entry (Main, a picocli command), into the config"
          + " (GatewayConfig.env()); a part that read it itself could not be configured by a test or a second"
          + " instance, and would see what the config validation never checked");

  /**
   * Classes whose code runs on a Vert.x event loop: the HTTP routes and the guards in front of them (nested and
   * anonymous classes included).
   */
  private static final Set<String> EVENT_LOOP_CLASSES = Set.of("HttpEdge", "ConnectionGuard", "TwilioWebhookGuard");

  private static String topLevelSimpleName(JavaClass c) {
    var name = c.getName();
    var top = name.contains("$") ? name.substring(0, name.indexOf('$')) : name;
    return top.substring(top.lastIndexOf('.') + 1);
  }

  private static boolean blocking(JavaCall<?> call) {
    var target = call.getTarget();
    var owner = target.getOwner();
    if (owner.getPackageName().startsWith("java.sql") || owner.getPackageName().startsWith("javax.sql")) {
      return true;
    }
    if (target.getRawParameterTypes().stream().anyMatch(t -> t.isEquivalentTo(java.sql.Connection.class))) {
      return true; // a helper that works inside a transaction
    }
    if (owner.getPackageName().equals("vn.hotline.gateway.store")
        && (owner.getSimpleName().equals("Store") || owner.getSimpleName().endsWith("Repository"))
        && !call.getName().equals("<init>")) {
      // a Store or repository method, bar static helpers that touch no database (e.g. Store.toDb)
      return target.resolveMember().map(m -> !m.getModifiers().contains(JavaModifier.STATIC)).orElse(true);
    }
    return false;
  }

  @ArchTest
  static final ArchRule noJdbcOnTheEventLoop = classes()
      .that(describe("run on an event loop (*Routes, HttpEdge, ConnectionGuard, TwilioWebhookGuard)",
          c -> topLevelSimpleName(c).endsWith("Routes") || EVENT_LOOP_CLASSES.contains(topLevelSimpleName(c))))
      .should(new ArchCondition<JavaClass>("call no JDBC, Store or repository method outside a worker") {
        @Override
        public void check(JavaClass c, ConditionEvents events) {
          for (var call : c.getCodeUnitCallsFromSelf()) {
            // The store is called only from lambda bodies handed to workers.executeBlocking. ArchUnit cannot tell
            // those from a lambda a route runs on the event loop (a handler, an onComplete), so every call made
            // in a lambda body is left out: it compiles to a synthetic lambda$... method of the same class,
            // which ArchUnit 1.5 reports as a call from the enclosing method marked isDeclaredInLambda(). This
            // rule therefore sees the code written directly in these classes' methods, not what their lambdas do.
            if (call.isDeclaredInLambda() || call.getOrigin().getName().startsWith("lambda$")) {
              continue;
            }
            // A method marked @OnWorker runs on a worker (e.g. an API handler, called through run(...)): it may
            // use the store, and it may itself only be called from such a lambda body or another @OnWorker method.
            if (call.getOrigin().isAnnotatedWith(OnWorker.class)) {
              continue;
            }
            boolean callsWorkerCode = call.getTarget().resolveMember()
                .map(m -> m.isAnnotatedWith(OnWorker.class)).orElse(false);
            if (blocking(call) || callsWorkerCode) {
              events.add(SimpleConditionEvent.violated(call, call.getDescription()));
            }
          }
        }
      })
      .because("an event loop serves every caller of this instance: one blocking database call there stalls all"
          + " calls and messages (and Vert.x warns of a blocked thread); the store is used from"
          + " workers.executeBlocking");
}
