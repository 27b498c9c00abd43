CREATE TABLE `channel_pauses` (
	`channel` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`message` text NOT NULL,
	`paused_at` integer NOT NULL,
	`until` integer NOT NULL
);
