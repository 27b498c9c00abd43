ALTER TABLE `notifications` ADD `archived_at` integer;--> statement-breakpoint
CREATE INDEX `notifications_inbox_idx` ON `notifications` (`recipient_id`,`id`) WHERE archived_at IS NULL;