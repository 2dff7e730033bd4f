-- The portal's database roles, least privilege. Run once, as a superuser, before the
-- first migration:
--
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/postgresql/roles.sql
--   sudo -u postgres psql -c '\password portal_owner'     (and each role below)
--   sudo -u postgres createdb --owner portal_owner portal
--
-- Then, after every `flask --app wsgi db upgrade` (run as portal_owner), grants.sql.
--
--   portal_owner     owns the schema and runs the migrations; no process serving requests
--                    connects as it.
--   portal_public    the public face: the applicants' own tables, nothing of staff, the
--                    watch list, screening or reports; audit events it may add, never
--                    read, change or delete (grants.sql).
--   portal_internal  the internal face and the operator's commands (staff accounts, watch
--                    list, audit verify).
--   portal_worker    the intake workers and their timers.
--
-- No role may log in without a password set above; none is a superuser, none creates
-- roles or databases, and only the owner may create anything in the schema.
CREATE ROLE portal_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE portal_public LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE portal_internal LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE portal_worker LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
