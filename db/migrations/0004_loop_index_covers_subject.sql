DROP INDEX `notifications_loop_idx`;--> statement-breakpoint
CREATE INDEX `notifications_loop_idx` ON `notifications` (`recipient_id`,`template`,`created_at`,`subject_type`,`subject_id`);