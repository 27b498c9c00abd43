import { alertsCommand } from "./alerts.command.ts";
import { backupCommand } from "./backup.command.ts";
import { channelsCommand } from "./channels.command.ts";
import type { Command } from "./command.ts";
import { deliveriesCommand } from "./deliveries.command.ts";
import { helpCommand } from "./help.command.ts";
import { keysCommand } from "./keys.command.ts";
import { maintenanceCommand } from "./maintenance.command.ts";
import { migrateCommand } from "./migrate.command.ts";
import { reportCommand } from "./report.command.ts";
import { restoreCommand } from "./restore.command.ts";
import { seedCommand } from "./seed.command.ts";
import { serveCommand } from "./serve.command.ts";
import { settingsCommand } from "./settings.command.ts";
import { statusCommand } from "./status.command.ts";
import { suppressionsCommand } from "./suppressions.command.ts";
import { testEmailCommand } from "./test-email.command.ts";
import { testSmsCommand } from "./test-sms.command.ts";

/** Every `herald` command, in the order `herald help` lists them. Adding a command is one line here. */
export const commands: Command[] = [
  serveCommand,
  statusCommand,
  migrateCommand,
  seedCommand,
  keysCommand,
  backupCommand,
  restoreCommand,
  maintenanceCommand,
  channelsCommand,
  reportCommand,
  deliveriesCommand,
  alertsCommand,
  suppressionsCommand,
  settingsCommand,
  testEmailCommand,
  testSmsCommand,
  helpCommand(() => commands),
];
