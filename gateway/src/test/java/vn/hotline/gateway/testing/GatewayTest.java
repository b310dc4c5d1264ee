package vn.hotline.gateway.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ClassTemplateInvocationLifecycleMethod;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class run against real stores: every test in it runs once per store ({@code [H2]}, {@code [MARIADB]}),
 * each time with a fresh {@link TestDatabase} in a {@link Harness} that also starts {@link RunningGateway}s over
 * it and closes them all afterwards. The store comes as migrated ({@link TestDatabase#migrated}), unless the class
 * asks for an {@code emptyStore} that its gateway's first start migrates. Ask for the harness as a parameter:
 *
 * <pre>{@code
 * @GatewayTest
 * class VoiceWebhookTest {
 *   Harness house;
 *
 *   @BeforeEach
 *   void start(Harness house) {
 *     this.house = house;            // house.db(): the fresh store; house.dir(): a temp dir of this test
 *   }
 *
 *   @Test
 *   void aCallIsAnswered() {
 *     var gw = house.start(Map.of("GATEWAY_OPERATORS_MODE", "enqueue"));  // closed after the test
 *     ...
 * }</pre>
 *
 * <p>Asked for in a {@link BeforeStore} method, the harness is one per store for the whole class (its
 * gateways and store closed after the {@link AfterStore} methods); asked for in a {@code @BeforeEach} or test
 * method, it is one per test. Gateways stop right after the test method, before the class's own {@code @AfterEach} (which
 * can then close fakes the gateway talked to); the store is dropped last.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ClassTemplate
@ExtendWith(GatewayTestExtension.class)
public @interface GatewayTest {
  /** The stores every test runs on. */
  Stores stores() default Stores.BOTH;

  /** The gateway reaches the store through a {@link TcpProxy} ({@code house.db().proxy()}) a test can cut. */
  boolean faulty() default false;

  /** The store starts empty, without a schema (the gateway migrates it), rather than as migrated. */
  boolean emptyStore() default false;

  /** A static method run once per store before the class's tests on it; it may ask for the {@link Harness}. */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @ClassTemplateInvocationLifecycleMethod(classTemplateAnnotation = GatewayTest.class, lifecycleMethodAnnotation = BeforeStore.class)
  @interface BeforeStore {}

  /** A static method run once per store after the class's tests on it (before its harness is closed). */
  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @Documented
  @ClassTemplateInvocationLifecycleMethod(classTemplateAnnotation = GatewayTest.class, lifecycleMethodAnnotation = AfterStore.class)
  @interface AfterStore {}

  enum Stores {
    H2(TestDatabase.Kind.H2), MARIADB(TestDatabase.Kind.MARIADB), BOTH(TestDatabase.Kind.H2, TestDatabase.Kind.MARIADB);

    private final List<TestDatabase.Kind> kinds;

    Stores(TestDatabase.Kind... kinds) {
      this.kinds = List.of(kinds);
    }

    public List<TestDatabase.Kind> kinds() {
      return kinds;
    }
  }
}
