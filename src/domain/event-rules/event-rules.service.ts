import { asc, eq } from "drizzle-orm";
import { eventRules } from "../../../db/schema.ts";
import type { Queryable } from "../../db/queryable.ts";
import type { Deps } from "../../deps.ts";
import { AppError, notFound } from "../../errors.ts";
import type { Priority } from "../priorities.ts";
import { getTemplate } from "../templates/templates.repo.ts";

/** An event rule: what `POST /v1/events` of `eventType` creates. */
export interface Rule {
  eventType: string;
  description: string;
  template: string;
  recipients: string[];
  priority: Priority | null;
  category: string | null;
  /**
   * Where in the event's data the id of what it is about is (a dotted path such as `repair.id`); null for the
   * default, `<namespace>.id` (`repair.id` for `repair.*` events). The notifications' subject, which the loop
   * guard counts by.
   */
  subjectPath: string | null;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Fields a PUT sets. */
export type RuleInput = Omit<
  Rule,
  "eventType" | "createdAt" | "updatedAt" | "description" | "active" | "priority" | "category" | "subjectPath"
> &
  Partial<Pick<Rule, "description" | "active" | "priority" | "category" | "subjectPath">>;

/** The rule for an event type on `q`, or null. */
export async function findRule(q: Queryable, eventType: string): Promise<Rule | null> {
  const [row] = await q.select().from(eventRules).where(eq(eventRules.eventType, eventType)).limit(1);
  return row ?? null;
}

/** Every rule, by event type. */
export async function listRules(deps: Deps): Promise<Rule[]> {
  return deps.db.read.select().from(eventRules).orderBy(asc(eventRules.eventType));
}

/** The rule for an event type, or not-found. */
export async function getRule(deps: Deps, eventType: string): Promise<Rule> {
  const rule = await findRule(deps.db.read, eventType);
  if (!rule) throw notFound("Rule", eventType);
  return rule;
}

/** Creates or replaces a rule; its template must exist. */
export async function putRule(
  deps: Deps,
  eventType: string,
  input: RuleInput,
): Promise<{ rule: Rule; created: boolean }> {
  const now = deps.clock.now();
  return deps.db.write(async (tx) => {
    if (!(await getTemplate(tx, input.template))) {
      throw new AppError("validation-failed", `Template '${input.template}' does not exist`, {
        errors: [{ path: "template", message: "no template with this name" }],
      });
    }
    const existing = await findRule(tx, eventType);
    const rule: Rule = {
      eventType,
      description: input.description ?? "",
      template: input.template,
      recipients: input.recipients,
      priority: input.priority ?? null,
      category: input.category ?? null,
      subjectPath: input.subjectPath ?? null,
      active: input.active ?? true,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await tx.insert(eventRules).values(rule).onConflictDoUpdate({ target: eventRules.eventType, set: rule });
    return { rule, created: !existing };
  });
}

/** Deletes a rule. */
export async function deleteRule(deps: Deps, eventType: string): Promise<void> {
  const deleted = await deps.db.write((tx) =>
    tx
      .delete(eventRules)
      .where(eq(eventRules.eventType, eventType))
      .returning({ eventType: eventRules.eventType }),
  );
  if (deleted.length === 0) throw notFound("Rule", eventType);
}
