#!/usr/bin/env bun
/**
 * Production entry point: `bun scripts/supervise.ts` (the container's command, the systemd unit's ExecStart).
 * Restores the database from the Litestream replica when the file is missing, then runs Herald under
 * `litestream replicate -exec`, forwards SIGTERM and exits with Herald's status. See src/backup/supervisor.ts.
 * Run `bun src/main.ts` instead to serve without replication (development).
 */
import { supervise } from "../src/backup/supervisor.ts";
import { createLogger } from "../src/logger.ts";

const logger = createLogger("info");
process.exit(await supervise({ env: process.env, cwd: process.cwd(), logger }));
