/**
 * Default content for the repair portal's flows: templates (bodies read from the files under templates/, so
 * operators can see and edit them) and the event rules that use them. Seeding is idempotent and never
 * overwrites: a row that exists is left as the operator made it, and a default the operator deleted is not
 * brought back (the names already seeded are remembered in the `seeded-defaults` setting).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eventRules } from "../../../db/schema.ts";
import type { Deps } from "../../deps.ts";
import { AppError } from "../../errors.ts";
import { getSetting, putSetting } from "../settings/settings.repo.ts";
import { getTemplate, insertTemplateIfAbsent } from "../templates/templates.repo.ts";
import { assertStorable } from "../templates/templates.service.ts";
import type { TemplateFields } from "../templates/templates.types.ts";

/** The repository's templates/ directory: inbox/<name>/, email/<name>/, sms/<name>.liquid, layouts/. */
export const DEFAULT_TEMPLATES_DIR = join(import.meta.dir, "../../../templates");

/** What the seeder knows about a default template besides its bodies. */
export interface DefaultTemplate {
  name: string;
  description: string;
  category: string;
  defaultPriority: TemplateFields["defaultPriority"];
  requiredContext: string[];
}

/** The default templates. Context: `repair.{id,title,address}`, `customer.name`, `technician.name`, `reason`, `digest.*`. */
export const DEFAULT_TEMPLATES: readonly DefaultTemplate[] = [
  {
    name: "repair-requested",
    description: "To staff: a customer requested a repair that waits for approval.",
    category: "repair",
    defaultPriority: "MEDIUM",
    requiredContext: ["repair.id", "repair.title", "repair.address", "customer.name"],
  },
  {
    name: "repair-approved",
    description: "To the customer: their repair request was approved.",
    category: "repair",
    defaultPriority: "HIGH",
    requiredContext: ["repair.id", "repair.title"],
  },
  {
    name: "repair-denied",
    description: "To the customer: their repair request was denied, with the reason.",
    category: "repair",
    defaultPriority: "HIGH",
    requiredContext: ["repair.id", "repair.title", "reason"],
  },
  {
    name: "repair-assigned",
    description: "To the technician: a repair job was assigned to them.",
    category: "repair",
    defaultPriority: "HIGH",
    requiredContext: ["repair.id", "repair.title", "repair.address", "customer.name"],
  },
  {
    name: "repair-completed",
    description: "To the customer: the technician completed their repair.",
    category: "repair",
    defaultPriority: "MEDIUM",
    requiredContext: ["repair.id", "repair.title", "technician.name"],
  },
  {
    name: "daily-digest",
    description:
      "The daily summary of LOW-priority notifications. Context: digest.date (display text), digest.count (number), digest.items ([{ title, message }]).",
    category: "digest",
    defaultPriority: "LOW",
    requiredContext: ["digest.date", "digest.count", "digest.items"],
  },
  {
    name: "test-message",
    description: "A test notification for checking that a recipient's channels work. Needs no context.",
    category: "system",
    defaultPriority: "MEDIUM",
    requiredContext: [],
  },
];

/** A default event rule: its priority is left to the template's default. */
export interface DefaultRule {
  eventType: string;
  description: string;
  template: string;
  /** Paths into the event's data where the recipients are (an object, an id, or a list of either). */
  recipients: string[];
  category: string;
}

/** The default event rules: which template each portal event uses and where in its data the recipients are. */
export const DEFAULT_RULES: readonly DefaultRule[] = [
  {
    eventType: "repair.requested",
    template: "repair-requested",
    recipients: ["staff"],
    category: "repair",
    description: "Tell staff about a new request (data.staff: one recipient or a list).",
  },
  {
    eventType: "repair.approved",
    template: "repair-approved",
    recipients: ["customer"],
    category: "repair",
    description: "Tell the customer their request was approved.",
  },
  {
    eventType: "repair.denied",
    template: "repair-denied",
    recipients: ["customer"],
    category: "repair",
    description: "Tell the customer their request was denied and why.",
  },
  {
    eventType: "repair.assigned",
    template: "repair-assigned",
    recipients: ["technician"],
    category: "repair",
    description: "Tell the technician about their new job.",
  },
  {
    eventType: "repair.completed",
    template: "repair-completed",
    recipients: ["customer"],
    category: "repair",
    description: "Tell the customer their repair is done.",
  },
];

/** The setting remembering which defaults were seeded once, so deleted ones stay deleted. */
export const SEEDED_KEY = "seeded-defaults";

interface SeededRecord {
  templates: string[];
  rules: string[];
}

/** A template file's content without the trailing newline editors add, or null when the file is absent. */
function readPart(path: string, { singleLine }: { singleLine: boolean }): string | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8");
  return singleLine ? text.trim() : text.replace(/\s+$/, "");
}

/** A default template's fields, its bodies read from `dir`; throws naming the template if a body is broken. */
export function loadDefaultTemplate(
  def: DefaultTemplate,
  dir: string = DEFAULT_TEMPLATES_DIR,
): { name: string } & TemplateFields {
  const line = { singleLine: true };
  const block = { singleLine: false };
  const title = readPart(join(dir, "inbox", def.name, "title.liquid"), line);
  const message = readPart(join(dir, "inbox", def.name, "message.liquid"), block);
  if (title === null || message === null) {
    throw new Error(
      `Default template '${def.name}' needs ${join(dir, "inbox", def.name)}/title.liquid and message.liquid`,
    );
  }
  const fields = {
    description: def.description,
    category: def.category,
    defaultPriority: def.defaultPriority,
    title,
    message,
    emailSubject: readPart(join(dir, "email", def.name, "subject.liquid"), line),
    emailHtml: readPart(join(dir, "email", def.name, "html.liquid"), block),
    emailText: readPart(join(dir, "email", def.name, "text.liquid"), block),
    sms: readPart(join(dir, "sms", `${def.name}.liquid`), line),
    requiredContext: def.requiredContext,
    active: true,
  };
  try {
    assertStorable(fields);
  } catch (error) {
    const issues =
      error instanceof AppError
        ? (error.extras.errors ?? []).map((i) => `${i.path}: ${i.message}`)
        : [String(error)];
    throw new Error(`Default template '${def.name}' (files in ${dir}) is invalid: ${issues.join("; ")}`, {
      cause: error,
    });
  }
  return { name: def.name, ...fields };
}

/** What one seeding run inserted. */
export interface SeedResult {
  templates: string[];
  rules: string[];
}

/**
 * Inserts the default templates and event rules that were never seeded before and do not exist, in one
 * transaction. Safe to run on every start and from `herald seed`.
 */
export async function seedDefaults(
  deps: Pick<Deps, "db" | "clock" | "logger">,
  options: { dir?: string } = {},
): Promise<SeedResult> {
  const defaults = DEFAULT_TEMPLATES.map((def) => loadDefaultTemplate(def, options.dir));
  const now = deps.clock.now();
  const result = await deps.db.write(async (tx) => {
    const seeded = (await getSetting<SeededRecord>(tx, SEEDED_KEY)) ?? { templates: [], rules: [] };
    const inserted: SeedResult = { templates: [], rules: [] };
    for (const t of defaults) {
      if (seeded.templates.includes(t.name)) continue;
      if (await insertTemplateIfAbsent(tx, { ...t, version: 1, createdAt: now, updatedAt: now })) {
        inserted.templates.push(t.name);
      }
    }
    for (const rule of DEFAULT_RULES) {
      // A rule whose template the operator deleted would only fail every event; leave it out.
      if (seeded.rules.includes(rule.eventType) || !(await getTemplate(tx, rule.template))) continue;
      const rows = await tx
        .insert(eventRules)
        .values({ ...rule, priority: null, active: true, createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning({ eventType: eventRules.eventType });
      if (rows.length > 0) inserted.rules.push(rule.eventType);
    }
    const record: SeededRecord = {
      templates: [...new Set([...seeded.templates, ...defaults.map((t) => t.name)])],
      rules: [...new Set([...seeded.rules, ...DEFAULT_RULES.map((r) => r.eventType)])],
    };
    await putSetting(tx, SEEDED_KEY, record, now);
    return inserted;
  });
  if (result.templates.length > 0 || result.rules.length > 0)
    deps.logger.info("seeded default content", { ...result });
  return result;
}
