-- The delivery worker claims due deliveries urgent first, then the rest, each oldest first
-- (DeliveryRepository.claim: WHERE status = 'pending' AND urgent = ? AND next_attempt_at <= ?
-- ORDER BY next_attempt_at, id LIMIT n, once for urgent, once for the others; then the ids it read are locked).
-- With the index in that very order each read takes the first n due rows and stops, however deep the backlog;
-- ix_deliveries_due (status, next_attempt_at) could not give the order 'urgent DESC, next_attempt_at, id', so each
-- claim read and sorted every due delivery. ix_deliveries_due stays: the release of held deliveries reads by it.
-- Runs unchanged on MariaDB 10.11 and H2 (MODE=MariaDB).

CREATE INDEX ix_deliveries_claim ON deliveries (status, urgent, next_attempt_at, id);
