-- What each runtime role may do with the tables, given again after every migration (a
-- new table is reachable only once it is granted here). Idempotent. Run in the portal's
-- database as its owner or a superuser:
--
--   psql -v ON_ERROR_STOP=1 -d portal -f deploy/postgresql/grants.sql
--
-- What the grants keep from a break-in at the public face (docs/deployment.md, "What the
-- database roles allow"): the staff accounts, sessions and password hashes, notes,
-- decisions, screening results, blind indexes, links between cases, the watch list,
-- exports, the reports' figures, and the audit trail (it may append events, which it
-- MACs with its audit.key, but never read, change or delete one). It can still read every
-- case's clear columns and ciphertext, and every wrapped key: what protects those is the
-- encryption (no private key on the public face; access codes of 80 bits behind scrypt).
BEGIN;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM portal_public, portal_internal, portal_worker;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM portal_public, portal_internal, portal_worker;
GRANT USAGE ON SCHEMA public TO portal_public, portal_internal, portal_worker;

-- The public face: an applicant starts a case, fills it in, uploads documents, submits,
-- answers messages, adds a child born since, withdraws.
GRANT SELECT, INSERT, UPDATE ON "case" TO portal_public;
GRANT SELECT, INSERT, UPDATE, DELETE ON person, employment, document TO portal_public;
GRANT SELECT, INSERT ON message, key_wrap TO portal_public;
-- Every move of a case writes its history, the reports' move and (by trigger) the tallies.
GRANT INSERT ON case_transition, case_move, case_tally, case_facet_tally, case_waiting_tally,
  case_waiting_facet_tally, case_answer_due_tally TO portal_public;
GRANT SELECT (id) ON case_move, case_tally, case_facet_tally, case_waiting_tally,
  case_waiting_facet_tally, case_answer_due_tally, case_transition TO portal_public;
-- The promise to screen a submitted case (the transactional outbox).
GRANT INSERT ON outbox TO portal_public;
GRANT SELECT (id) ON outbox TO portal_public;
-- Audit: append only. Ids come from the sequence under the chain lock; the head row is
-- read and moved on with every append.
GRANT INSERT ON audit_event TO portal_public;
GRANT SELECT, INSERT, UPDATE ON audit_head TO portal_public;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO portal_public;

-- The internal face and the workers: every table, but the audit trail is append-only for
-- them too (verify reads it), and neither touches the migrations' bookkeeping.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_internal, portal_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_internal, portal_worker;
REVOKE UPDATE, DELETE ON audit_event FROM portal_internal, portal_worker;
REVOKE ALL ON alembic_version FROM portal_internal, portal_worker;
-- The workers screen, relay and count; staff accounts and sessions are none of theirs.
REVOKE ALL ON staff_session, staff_role FROM portal_worker;
REVOKE INSERT, UPDATE, DELETE ON staff_user FROM portal_worker;

COMMIT;
