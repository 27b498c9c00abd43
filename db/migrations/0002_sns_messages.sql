CREATE TABLE `sns_messages` (
	`message_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sns_messages_received_idx` ON `sns_messages` (`received_at`);