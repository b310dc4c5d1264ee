package vn.hotline.gateway.sms.smpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A bind's states: the moves the table allows, what it refuses, and a close that wins over a bind under way. */
class BindStateMachineTest {
  final BindStateMachine bind = new BindStateMachine();

  @Test
  void aBindLostAndFailedComesBackAndTheReasonGoesWhenItIsBound() {
    assertEquals(LinkState.DISCONNECTED, bind.state());
    assertTrue(bind.move(LinkState.DISCONNECTED, LinkState.BINDING, null));
    assertTrue(bind.move(LinkState.BINDING, LinkState.BACKING_OFF, "connection refused"));
    assertEquals("connection refused", bind.lastError());
    assertTrue(bind.move(LinkState.BACKING_OFF, LinkState.BINDING, null));
    assertEquals("connection refused", bind.lastError(), "still why it is not bound while it tries");
    assertTrue(bind.move(LinkState.BINDING, LinkState.BOUND, null));
    assertNull(bind.lastError());
    assertTrue(bind.move(LinkState.BOUND, LinkState.DISCONNECTED, "connection lost"));
    assertFalse(bind.move(LinkState.BOUND, LinkState.DISCONNECTED, "connection lost"), "lost once, not twice");
  }

  @Test
  void movesTheTableDoesNotAllowAreRefused() {
    assertThrows(IllegalStateException.class, () -> bind.move(LinkState.DISCONNECTED, LinkState.BOUND, null),
        "bound without binding");
    assertThrows(IllegalStateException.class, () -> bind.move(LinkState.REFUSED, LinkState.BOUND, null));
    assertThrows(IllegalStateException.class, () -> bind.move(LinkState.CLOSED, LinkState.BINDING, null));
    for (var s : LinkState.values()) {
      assertEquals(s != LinkState.CLOSED, s.mayMoveTo(LinkState.CLOSED), s + " may close");
    }
  }

  @Test
  void aCloseDuringABindWinsAndABoundBindUnbindsFirst() {
    bind.move(LinkState.DISCONNECTED, LinkState.BINDING, null);
    assertFalse(bind.closing(), "nothing to unbind");
    assertEquals(LinkState.CLOSED, bind.state());
    assertFalse(bind.move(LinkState.BINDING, LinkState.BOUND, null), "the bind that comes back finds the link closed");
    assertEquals(LinkState.CLOSED, bind.state());

    var bound = new BindStateMachine();
    bound.move(LinkState.DISCONNECTED, LinkState.BINDING, null);
    bound.move(LinkState.BINDING, LinkState.BOUND, null);
    assertTrue(bound.closing(), "unbind first");
    assertEquals(LinkState.UNBINDING, bound.state());
    assertFalse(bound.move(LinkState.BOUND, LinkState.DISCONNECTED, "connection lost"), "our own unbind is no loss");
    bound.closed();
    assertEquals(LinkState.CLOSED, bound.state());
  }
}
