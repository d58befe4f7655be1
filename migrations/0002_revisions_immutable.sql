-- Revisions are history: the database itself refuses to change or remove one.
CREATE TRIGGER `policy_revisions_no_update` BEFORE UPDATE ON `policy_revisions`
BEGIN
	SELECT RAISE(ABORT, 'policy revisions are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `policy_revisions_no_delete` BEFORE DELETE ON `policy_revisions`
BEGIN
	SELECT RAISE(ABORT, 'policy revisions are immutable');
END;
