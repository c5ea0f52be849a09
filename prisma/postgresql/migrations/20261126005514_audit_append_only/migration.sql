-- The audit log is append-only: the database itself refuses to change or remove an entry.
-- (Written by hand: triggers are not part of the Prisma schema. Each statement is one line.)
CREATE OR REPLACE FUNCTION "audit_entry_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'AuditEntry is append-only'; END; $$;

CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry" FOR EACH ROW EXECUTE FUNCTION "audit_entry_append_only"();
