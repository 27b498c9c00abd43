import { parseArgs } from "node:util";
import type { z } from "zod";
import { PageQuery } from "../domain/pagination.rules.ts";
import {
  SuppressionFilter,
  SuppressionInput,
  SuppressionKey,
} from "../domain/suppressions/suppressions.input.ts";
import {
  addSuppression,
  listSuppressions,
  removeSuppression,
  type SuppressionView,
} from "../domain/suppressions/suppressions.service.ts";
import { fieldIssues } from "../errors.ts";
import { withDeps } from "./cli-deps.ts";
import { type CliIo, type Command, UsageError } from "./command.ts";
import { formatTable, printedAsJson } from "./table.ts";

/** Arguments the API would refuse with 400: every issue on its own line, nothing changed. */
function valid<T>(what: string, result: z.ZodSafeParseResult<T>): T {
  if (result.success) return result.data;
  const lines = fieldIssues(result.error.issues).map((i) => `  ${i.path}: ${i.message}`);
  throw new UsageError([`invalid ${what}:`, ...lines].join("\n"));
}

/**
 * A contact the operator did not name, shown only enough to tell entries apart: `a•••@e•••.com`, `+•••••••0001`.
 * Contact data is never printed unless the operator asked for that contact (`--contact`).
 */
export function maskContact(contact: string): string {
  const at = contact.lastIndexOf("@");
  if (at < 0)
    return `${contact.slice(0, 1)}${"•".repeat(Math.max(0, contact.length - 5))}${contact.slice(-4)}`;
  const domain = contact.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  const tld = dot < 0 ? "" : domain.slice(dot);
  return `${contact.slice(0, 1)}•••@${domain.slice(0, 1)}•••${tld}`;
}

function printSuppression(s: SuppressionView, verb: string, io: CliIo) {
  const detail = s.detail ? `, ${s.detail}` : "";
  io.out(
    `${verb} ${s.channel} ${s.contact} (${s.reason} by ${s.source} at ${new Date(s.createdAt).toISOString()}${detail})`,
  );
}

/**
 * `herald suppressions list|add|remove`: the suppression list of `/v1/suppressions`, on the same domain verbs and
 * checked with the same schemas (an address or E.164 number the API refuses is refused here). Adding a contact
 * also skips what is still queued for it. `open` supplies the deps (tests pass a test app's, with its fixed clock).
 */
export function createSuppressionsCommand(open: typeof withDeps = withDeps): Command {
  return {
    name: "suppressions",
    summary: "List, add or lift suppressed email addresses and phone numbers",
    usage: [
      "herald suppressions list [--channel email|sms] [--contact X] [--limit N] [--cursor C] [--json]",
      "    newest first; contacts are masked unless you name one with --contact",
      "herald suppressions add <email|sms> <contact> [--detail TEXT] [--json]",
      "    suppress by hand (reason manual): deliveries still queued for the contact are skipped",
      "herald suppressions remove <email|sms> <contact>",
      "    lift it: new notifications reach the contact again (already skipped ones stay skipped)",
    ],
    async run(args, { config, io }) {
      const [action, ...rest] = args;
      switch (action) {
        case "list": {
          const { values, positionals } = parseArgs({
            args: rest,
            allowPositionals: true,
            options: {
              channel: { type: "string" },
              contact: { type: "string" },
              limit: { type: "string" },
              cursor: { type: "string" },
              json: { type: "boolean" },
            },
          });
          if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
          const query = valid("filter", PageQuery.extend(SuppressionFilter.shape).safeParse(values));
          const page = await open(config(), (deps) => listSuppressions(deps, query));
          const shown =
            values.contact === undefined
              ? page.items.map((s) => ({ ...s, contact: maskContact(s.contact) }))
              : page.items;
          if (printedAsJson(io, values.json, { items: shown, nextCursor: page.nextCursor })) return 0;
          if (shown.length === 0) io.err("No matching suppressions.");
          else
            io.out(
              formatTable(
                ["CHANNEL", "CONTACT", "REASON", "SOURCE", "SINCE", "DETAIL"],
                shown.map((s) => [
                  s.channel,
                  s.contact,
                  s.reason,
                  s.source,
                  new Date(s.createdAt).toISOString(),
                  s.detail ?? "",
                ]),
                true,
              ),
            );
          if (page.nextCursor) io.err(`More: add --cursor ${page.nextCursor}`);
          return 0;
        }
        case "add": {
          const { values, positionals } = parseArgs({
            args: rest,
            allowPositionals: true,
            options: { detail: { type: "string" }, json: { type: "boolean" } },
          });
          if (positionals.length !== 2)
            throw new UsageError("give the channel (email or sms) and the contact");
          const [channel, contact] = positionals;
          const input = valid(
            "suppression",
            SuppressionInput.safeParse({ channel, contact, detail: values.detail }),
          );
          const { suppression, created } = await open(config(), (deps) => addSuppression(deps, input));
          if (values.json) io.out(JSON.stringify({ created, suppression }));
          else printSuppression(suppression, created ? "Suppressed" : "Already suppressed:", io);
          return 0;
        }
        case "remove": {
          const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
          if (positionals.length !== 2)
            throw new UsageError("give the channel (email or sms) and the contact");
          const [channel, contact] = positionals;
          const params = valid("suppression", SuppressionKey.safeParse({ channel, contact }));
          await open(config(), (deps) => removeSuppression(deps, params.channel, params.contact));
          io.out(
            `Lifted the suppression of ${params.channel} ${params.contact}; new notifications reach it again.`,
          );
          return 0;
        }
        default:
          throw new UsageError(action ? `unknown action '${action}'` : "give an action: list, add or remove");
      }
    },
  };
}

/** The registered `herald suppressions` command. */
export const suppressionsCommand = createSuppressionsCommand();
