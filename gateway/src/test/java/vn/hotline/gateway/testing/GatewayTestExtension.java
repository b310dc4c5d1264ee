package vn.hotline.gateway.testing;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;

/** Runs a {@link GatewayTest} class once per store ("[H2]", "[MARIADB]") and hands its tests a {@link Harness}. */
public final class GatewayTestExtension implements ClassTemplateInvocationContextProvider {
  @Override
  public boolean supportsClassTemplate(ExtensionContext context) {
    return AnnotationSupport.isAnnotated(context.getTestClass(), GatewayTest.class);
  }

  @Override
  public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(ExtensionContext context) {
    var test = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), GatewayTest.class).orElseThrow();
    return test.stores().kinds().stream().map(kind -> new OnStore(kind, test.faulty(), test.emptyStore()));
  }

  /** One run of the class on one store. */
  private record OnStore(TestDatabase.Kind kind, boolean faulty, boolean empty) implements ClassTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return "[" + kind + "]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new Houses(kind, faulty, empty));
    }
  }

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(GatewayTestExtension.class);

  /**
   * Gives a test (or, from {@code @BeforeAll}, the class run) its harness, made on first use and closed by
   * JUnit with the context it was made for; the gateways of a test stop as soon as its method returns.
   */
  private record Houses(TestDatabase.Kind kind, boolean faulty, boolean empty)
      implements ParameterResolver, AfterTestExecutionCallback, BeforeClassTemplateInvocationCallback,
      AfterClassTemplateInvocationCallback {
    @Override
    public void beforeClassTemplateInvocation(ExtensionContext context) {
      invokeAll(GatewayTest.BeforeStore.class, context);
    }

    @Override
    public void afterClassTemplateInvocation(ExtensionContext context) {
      invokeAll(GatewayTest.AfterStore.class, context);
    }

    private static void invokeAll(Class<? extends Annotation> annotation, ExtensionContext context) {
      for (var method : AnnotationSupport.findAnnotatedMethods(context.getRequiredTestClass(), annotation,
          HierarchyTraversalMode.TOP_DOWN)) {
        if (!ModifierSupport.isStatic(method)) {
          throw new IllegalStateException("@" + annotation.getSimpleName() + " method " + method + " must be static");
        }
        context.getExecutableInvoker().invoke(method, null);
      }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == Harness.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      // Looked up in the enclosing contexts too: a harness of the class run serves its tests.
      return context.getStore(NAMESPACE).getOrComputeIfAbsent(Owned.class,
          k -> new Owned(context.getUniqueId(), Harness.create(kind, faulty, empty)), Owned.class).house();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
      var owned = context.getStore(NAMESPACE).get(Owned.class, Owned.class);
      if (owned != null && owned.context().equals(context.getUniqueId())) {
        owned.house().stopGateways();
      }
    }
  }

  /** A harness and the context it was made for (JUnit closes it when that context ends). */
  private record Owned(String context, Harness house) implements AutoCloseable {
    @Override
    public void close() {
      house.close();
    }
  }
}
