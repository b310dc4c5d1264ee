package vn.hotline.gateway.flow;

import java.util.List;

/** The result of one engine step: the new state, what to tell the channel, and what to record. */
public record Step(FlowState state, Instruction instruction, List<StepEvent> events) {
  public Step {
    events = List.copyOf(events);
  }
}
