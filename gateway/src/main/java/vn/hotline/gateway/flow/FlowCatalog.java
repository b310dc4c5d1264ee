package vn.hotline.gateway.flow;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** The loaded flows by id. Immutable once loaded. */
public record FlowCatalog(Map<String, FlowDefinition> flows) {
  public FlowCatalog {
    flows = Map.copyOf(flows);
  }

  public Optional<FlowDefinition> find(String id) {
    return Optional.ofNullable(flows.get(id));
  }

  public FlowDefinition get(String id) {
    return find(id).orElseThrow(() -> new FlowException("no flow with id '" + id + "' is loaded"));
  }

  public Collection<FlowDefinition> all() {
    return flows.values();
  }
}
