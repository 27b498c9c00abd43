CREATE INDEX `recipients_email_idx` ON `recipients` (lower(trim("email")));--> statement-breakpoint
CREATE INDEX `recipients_phone_idx` ON `recipients` (`phone`);