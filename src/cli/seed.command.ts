import { seedDefaults } from "../domain/seed/seed.ts";
import { withDeps } from "./cli-deps.ts";
import type { Command } from "./command.ts";

/** `herald seed`: adds the default templates, event rules and branding that are missing. */
export const seedCommand: Command = {
  name: "seed",
  summary: "Add the default templates, event rules and branding (keeps existing ones)",
  usage: ["herald seed"],
  async run(_args, { config, io }) {
    await withDeps(config(), seedDefaults);
    io.err("Default content seeded.");
    return 0;
  },
};
