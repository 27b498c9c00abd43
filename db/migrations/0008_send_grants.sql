CREATE TABLE `send_grants` (
	`id` integer PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`calls` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `send_grants_window_idx` ON `send_grants` (`channel`,`ends_at`,`calls`);