DROP INDEX `deliveries_status_idx`;--> statement-breakpoint
DROP INDEX `deliveries_recipient_idx`;--> statement-breakpoint
CREATE INDEX `deliveries_status_id_idx` ON `deliveries` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `deliveries_recipient_id_idx` ON `deliveries` (`recipient_id`,`id`);--> statement-breakpoint
CREATE INDEX `deliveries_digest_recipient_idx` ON `deliveries` (`recipient_id`,`run_at`) WHERE status = 'digest';--> statement-breakpoint
CREATE INDEX `deliveries_sms_spend_idx` ON `deliveries` (`channel`,`created_at`,`status`,`cost_usd`) WHERE channel = 'sms';