import { parseArgs } from "node:util";
import { ROLES, type Role } from "../config.ts";
import { type Command, UsageError } from "./command.ts";

/** `herald serve`: the HTTP server (what `npm start` runs), until SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: "serve",
  summary: "Run the server (migrates and seeds first) until SIGTERM/SIGINT",
  usage: [
    "herald serve [--role all|api|worker]",
    "    all (default, or HERALD_ROLE): HTTP, delivery workers and schedulers in one process",
    "    api: HTTP only; worker: delivery workers and schedulers, with only /health and /metrics over HTTP",
  ],
  async run(args, { config }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { role: { type: "string" } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const role = values.role;
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(", ")}, not '${role}'`);
    }
    const cfg = config();
    // Loaded on demand: the other commands need neither the HTTP app nor its routes.
    const { runServer } = await import("../main.ts");
    return runServer(role === undefined ? cfg : { ...cfg, HERALD_ROLE: role as Role });
  },
};
