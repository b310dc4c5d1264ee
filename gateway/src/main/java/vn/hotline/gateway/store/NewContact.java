package vn.hotline.gateway.store;

import vn.hotline.gateway.contact.Channel;

/** What is known of a contact when it starts. The number is only ever here pseudonymised or sealed. */
public record NewContact(
    Channel channel,
    String providerRef,
    String reference,
    String flowId,
    String callerPseudonym,
    String callerSealed,
    String smsLink) {}
