package vn.hotline.gateway.flow;

/**
 * One thing that happened in a session, for the step history: a node entered, an option chosen, a timeout.
 * {@code value} is a menu key or a validated code, never what a caller typed freely.
 */
public record StepEvent(String nodeId, String event, String value) {
  public static StepEvent of(String nodeId, String event) {
    return new StepEvent(nodeId, event, null);
  }
}
