CREATE TABLE `sms_spend_days` (
	`day` integer PRIMARY KEY NOT NULL,
	`usd` real DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Committed statuses: src/domain/guards/sms-budget.rules.ts COMMITTED_SMS_STATUSES (a test keeps them equal).
INSERT INTO `sms_spend_days` (`day`, `usd`)
  SELECT `created_at` / 86400000, sum(`cost_usd`) FROM `deliveries`
  WHERE `channel` = 'sms' AND `status` IN ('queued', 'leased', 'sent', 'delivered', 'bounced', 'unknown') GROUP BY 1;
--> statement-breakpoint
CREATE TRIGGER `deliveries_sms_spend_insert` AFTER INSERT ON `deliveries`
  WHEN NEW.`channel` = 'sms' AND NEW.`status` IN ('queued', 'leased', 'sent', 'delivered', 'bounced', 'unknown')
BEGIN
  INSERT INTO `sms_spend_days` (`day`, `usd`) VALUES (NEW.`created_at` / 86400000, NEW.`cost_usd`)
    ON CONFLICT (`day`) DO UPDATE SET `usd` = `usd` + excluded.`usd`;
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_sms_spend_update` AFTER UPDATE OF `status`, `cost_usd` ON `deliveries`
  WHEN NEW.`channel` = 'sms'
    AND ((NEW.`status` IN ('queued', 'leased', 'sent', 'delivered', 'bounced', 'unknown')) <> (OLD.`status` IN ('queued', 'leased', 'sent', 'delivered', 'bounced', 'unknown')) OR NEW.`cost_usd` IS NOT OLD.`cost_usd`)
BEGIN
  INSERT INTO `sms_spend_days` (`day`, `usd`) VALUES (NEW.`created_at` / 86400000,
      (CASE WHEN NEW.`status` IN ('queued', 'leased', 'sent', 'delivered', 'bounced', 'unknown') THEN NEW.`cost_usd` ELSE 0 END)
    - (CASE WHEN OLD.`status` IN ('queued', 'leased', 'sent', 'delivered', 'bounced', 'unknown') THEN OLD.`cost_usd` ELSE 0 END))
    ON CONFLICT (`day`) DO UPDATE SET `usd` = `usd` + excluded.`usd`;
END;
--> statement-breakpoint
CREATE TRIGGER `deliveries_sms_spend_delete` AFTER DELETE ON `deliveries`
  WHEN OLD.`channel` = 'sms' AND OLD.`status` IN ('queued', 'leased', 'sent', 'delivered', 'bounced', 'unknown')
BEGIN
  UPDATE `sms_spend_days` SET `usd` = `usd` - OLD.`cost_usd` WHERE `day` = OLD.`created_at` / 86400000;
END;
