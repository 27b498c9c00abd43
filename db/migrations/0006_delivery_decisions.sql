ALTER TABLE `deliveries` ADD `decided_status` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `decided_reason` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `decided_run_at` integer;--> statement-breakpoint
-- The channel decision made at creation survives every later move of the delivery (claim, retry, digest,
-- cancel): the first update that changes status, reason or run_at keeps the values the row was created with.
CREATE TRIGGER `deliveries_keep_decision` AFTER UPDATE OF `status`, `reason`, `run_at` ON `deliveries`
  WHEN OLD.`decided_status` IS NULL
    AND (NEW.`status` IS NOT OLD.`status` OR NEW.`reason` IS NOT OLD.`reason` OR NEW.`run_at` IS NOT OLD.`run_at`)
BEGIN
  UPDATE `deliveries` SET `decided_status` = OLD.`status`, `decided_reason` = OLD.`reason`, `decided_run_at` = OLD.`run_at`
    WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
-- Rows moved before this migration: a digested item was decided `digest`, at best known time (its run_at).
UPDATE `deliveries` SET `decided_status` = 'digest', `decided_reason` = 'digest', `decided_run_at` = `run_at`
  WHERE `reason` = 'digest' AND `status` <> 'digest';
