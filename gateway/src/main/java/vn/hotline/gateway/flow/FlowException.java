package vn.hotline.gateway.flow;

/** A flow file that cannot be used; the message names the file, the node and the problem. */
public final class FlowException extends RuntimeException {
  public FlowException(String message) {
    super(message);
  }
}
