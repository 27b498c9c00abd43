import { openDatabase } from "../db/database.ts";
import type { Command } from "./command.ts";

/** `herald migrate`: applies the committed migrations and nothing else. */
export const migrateCommand: Command = {
  name: "migrate",
  summary: "Apply database migrations",
  usage: ["herald migrate"],
  async run(_args, { config, io }) {
    const db = await openDatabase({ url: config().DATABASE_URL, authToken: config().DATABASE_AUTH_TOKEN });
    try {
      await db.migrate();
    } finally {
      await db.close();
    }
    io.err("Migrations applied.");
    return 0;
  },
};
