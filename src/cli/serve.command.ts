import type { Command } from "./command.ts";

/** `herald serve`: the HTTP server (what `npm start` runs), until SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: "serve",
  summary: "Run the server (migrates and seeds first) until SIGTERM/SIGINT",
  usage: ["herald serve"],
  async run(_args, { config }) {
    // Loaded on demand: the other commands need neither the HTTP app nor its routes.
    const { runServer } = await import("../main.ts");
    return runServer(config());
  },
};
