CREATE TABLE `alert_states` (
	`name` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`severity` text NOT NULL,
	`value` real,
	`summary` text DEFAULT '' NOT NULL,
	`since` integer NOT NULL,
	`notified_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scheduler_runs` (
	`scheduler` text NOT NULL,
	`window` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`result` text,
	`error` text,
	PRIMARY KEY(`scheduler`, `window`)
);
--> statement-breakpoint
CREATE INDEX `scheduler_runs_started_idx` ON `scheduler_runs` (`started_at`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`channel` text NOT NULL,
	`contact` text NOT NULL,
	`reason` text NOT NULL,
	`source` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`channel`, `contact`)
);
--> statement-breakpoint
ALTER TABLE `deliveries` ADD `digest_id` text;--> statement-breakpoint
ALTER TABLE `deliveries` ADD `cost_usd` real DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `deliveries_provider_message_idx` ON `deliveries` (`provider_message_id`) WHERE provider_message_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `deliveries_channel_created_idx` ON `deliveries` (`channel`,`created_at`);--> statement-breakpoint
CREATE INDEX `deliveries_digest_due_idx` ON `deliveries` (`run_at`) WHERE status = 'digest';--> statement-breakpoint
ALTER TABLE `preferences` ADD `digest_categories` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_loop_idx` ON `notifications` (`recipient_id`,`template`,`created_at`);