package vn.hotline.gateway.store;

/** What is known of a contact when it starts. The number is only ever here pseudonymised or sealed. */
public record NewContact(
    String channel,
    String providerRef,
    String reference,
    String flowId,
    String callerPseudonym,
    String callerSealed,
    String smsLink) {}
