import { parseArgs } from "node:util";
import {
  type ApiKeyInfo,
  createApiKey,
  listApiKeys,
  revokeApiKey,
} from "../domain/api-keys/api-keys.service.ts";
import { type Scope, scopes } from "../domain/api-keys/scopes.rules.ts";
import { withDeps } from "./cli-deps.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";
import { formatTable } from "./table.ts";

const isScope = (value: string): value is Scope => (scopes as readonly string[]).includes(value);

const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());

/** `herald keys create|list|revoke`: API keys for the portal and for operators. Secrets are shown only at creation. */
export const keysCommand: Command = {
  name: "keys",
  summary: "Create, list and revoke API keys",
  usage: [
    `herald keys create --name NAME --scope ${scopes.join("|")} [--scope …] [--json]`,
    "    prints the new secret once (stdout: the secret alone, or JSON with --json)",
    "herald keys list [--json]   never shows secrets",
    "herald keys revoke <id|prefix>",
  ],
  async run(args, { config, io }) {
    const [action, ...rest] = args;
    switch (action) {
      case "create": {
        const { values } = parseArgs({
          args: rest,
          options: {
            name: { type: "string" },
            scope: { type: "string", multiple: true },
            json: { type: "boolean" },
          },
        });
        const name = values.name?.trim();
        if (!name) throw new UsageError("--name is required");
        const requested = values.scope ?? [];
        if (requested.length === 0) throw new UsageError("give at least one --scope");
        const bad = requested.filter((s) => !isScope(s));
        if (bad.length > 0)
          throw new UsageError(`unknown scope ${bad.join(", ")} (scopes: ${scopes.join(", ")})`);
        const { key, info } = await withDeps(config(), (deps) =>
          createApiKey(deps, { name, scopes: [...new Set(requested.filter(isScope))] }),
        );
        if (values.json) io.out(JSON.stringify({ ...info, key }));
        else {
          io.err(
            `Created key ${info.id} '${info.name}' (${info.scopes.join(", ")}). The secret is shown only now:`,
          );
          io.out(key);
        }
        return 0;
      }
      case "list": {
        const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
        const keys = await withDeps(config(), listApiKeys);
        if (values.json) io.out(JSON.stringify(keys));
        else printKeys(keys, io);
        return 0;
      }
      case "revoke": {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        if (positionals.length !== 1) throw new UsageError("give exactly one key id or prefix");
        const [idOrPrefix] = positionals as [string];
        const info = await withDeps(config(), (deps) => revokeApiKey(deps, idOrPrefix));
        io.err(`Revoked key ${info.id} '${info.name}' (${info.prefix}…).`);
        return 0;
      }
      default:
        throw new UsageError(
          action ? `unknown action '${action}'` : "give an action: create, list or revoke",
        );
    }
  },
};

function printKeys(keys: ApiKeyInfo[], io: CliIo) {
  if (keys.length === 0) {
    io.err("No API keys. Create one with 'herald keys create --name NAME --scope admin'.");
    return;
  }
  const rows = keys.map((k) => [
    k.id,
    k.name,
    `${k.prefix}…`,
    k.scopes.join(","),
    iso(k.createdAt),
    iso(k.revokedAt),
  ]);
  io.out(formatTable(["ID", "NAME", "PREFIX", "SCOPES", "CREATED", "REVOKED"], rows, io.isTTY));
}
