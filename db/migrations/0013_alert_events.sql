CREATE TABLE `alert_events` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`severity` text NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`value` real,
	`summary` text DEFAULT '' NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_events_name_idx` ON `alert_events` (`name`,`id`);--> statement-breakpoint
CREATE INDEX `alert_events_at_idx` ON `alert_events` (`at`);