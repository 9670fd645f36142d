package org.keystonesandbox.kafka.embedded;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives tests a running {@link EmbeddedKafkaBroker}. One broker is started
 * per test JVM, on first use, and shared by every test class (JUnit closes it when the run ends):
 * tests keep apart by using their own topic names.
 *
 * <pre>{@code
 * @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 * ... KAFKA.bootstrapServers() ...
 * }</pre>
 *
 * or {@code @ExtendWith(EmbeddedKafkaExtension.class)} with an {@code EmbeddedKafkaBroker}
 * parameter.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

  private EmbeddedKafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = sharedBroker(context);
  }

  /** The running broker; available from {@code @BeforeAll} on. */
  public EmbeddedKafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException("the extension is not registered on a running test class");
    }
    return broker;
  }

  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return sharedBroker(context);
  }

  private static EmbeddedKafkaBroker sharedBroker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            EmbeddedKafkaBroker.class,
            key -> EmbeddedKafkaBroker.builder().build().start(),
            EmbeddedKafkaBroker.class);
  }
}
