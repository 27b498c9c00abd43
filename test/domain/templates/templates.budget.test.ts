import { describe, expect, test } from "bun:test";
import { DEFAULT_BRANDING } from "../../../src/domain/branding/branding.service.ts";
import { CLOCK_EVERY, RENDER_LIMITS, RenderBudget } from "../../../src/domain/templates/templates.budget.ts";
import { engines } from "../../../src/domain/templates/templates.compiler.ts";
import {
  compileFastPath,
  FastPathBailout,
  type FastRender,
} from "../../../src/domain/templates/templates.fast-path.ts";
import { renderNotification } from "../../../src/domain/templates/templates.renderer.ts";
import type { RenderGlobals, TemplateRecord } from "../../../src/domain/templates/templates.types.ts";
import { AppError } from "../../../src/errors.ts";

/** The template from the issue: nested loops whose bodies render nothing. */
const NESTED_EMPTY_LOOPS = "{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}";
/** The same loops in a form the fast path leaves to LiquidJS (`limit:` is outside its subset). */
const NESTED_EMPTY_LOOPS_LIQUID =
  "{% for a in items limit: 100000 %}{% for b in items limit: 100000 %}{% endfor %}{% endfor %}";

const items = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A clock that moves `stepMs` every time it is read, so time runs out without anyone waiting. */
function steppedClock(stepMs: number) {
  let now = 0;
  return () => {
    const read = now;
    now += stepMs;
    return read;
  };
}

function fastRender(source: string): FastRender {
  const fast = compileFastPath(engines.text, engines.text.parse(source));
  if (!fast) throw new Error(`not on the fast path: ${source}`);
  return fast;
}

let counter = 0;
function template(fields: Partial<TemplateRecord>): TemplateRecord {
  return {
    name: `budget-${++counter}`,
    description: "",
    category: "repair",
    defaultPriority: "HIGH",
    title: "Title",
    message: "Message",
    emailSubject: null,
    emailHtml: null,
    emailText: null,
    sms: null,
    requiredContext: ["items"],
    active: true,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  };
}

const globals: RenderGlobals = {
  recipient: { id: "c-1", name: "Dana", kind: "customer", locale: "en" },
  branding: DEFAULT_BRANDING,
  actionUrl: null,
  priority: "HIGH",
  category: "repair",
  preferencesUrl: "https://portal.example.com/prefs",
};

async function renderError(t: TemplateRecord, context: Record<string, unknown>, budget?: RenderBudget) {
  const error = await renderNotification(t, context, globals, budget).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("RenderBudget", () => {
  test("allows exactly its steps, then stays spent", () => {
    const budget = new RenderBudget({ steps: 3 });
    expect([budget.step(), budget.step(), budget.step()]).toEqual([true, true, true]);
    expect(budget.step()).toBe(false);
    expect(budget.exceeded).toBe("steps");
    expect(budget.step()).toBe(false);
    expect(budget.allocate(0)).toBe(false);
    expect(budget.checkTime()).toBe(false);
  });

  test(`reads the clock only every ${CLOCK_EVERY} steps`, () => {
    let now = 0;
    const budget = new RenderBudget({ ms: 10, steps: 1_000_000 }, () => now);
    now = 11; // time is up, but nobody has looked yet
    for (let i = 1; i < CLOCK_EVERY; i++) expect(budget.step()).toBe(true);
    expect(budget.step()).toBe(false);
    expect(budget.exceeded).toBe("ms");
    expect(budget.stepsUsed).toBe(CLOCK_EVERY);
  });

  test("checkTime reads the clock at once", () => {
    let now = 0;
    const budget = new RenderBudget({ ms: 10 }, () => now);
    expect(budget.checkTime()).toBe(true);
    now = 11;
    expect(budget.checkTime()).toBe(false);
    expect(budget.exceeded).toBe("ms");
  });

  test("memory adds up across allocations", () => {
    const budget = new RenderBudget({ memory: 10 });
    expect(budget.allocate(6)).toBe(true);
    expect(budget.allocate(4)).toBe(true);
    expect(budget.allocate(1)).toBe(false);
    expect(budget.exceeded).toBe("memory");
  });

  test("the defaults are the documented ones", () => {
    expect(new RenderBudget().limits).toEqual(RENDER_LIMITS);
  });
});

describe("the fast path charges the budget", () => {
  test("a loop with an empty body costs one step per iteration", () => {
    const budget = new RenderBudget();
    expect(fastRender("{% for a in items %}{% endfor %}")({}, { items: items(10) }, budget)).toBe("");
    // One step for the `for` node, one per iteration.
    expect(budget.stepsUsed).toBe(11);
  });

  test("nested empty loops stop at the step budget and leave the outcome to the renderer", () => {
    const budget = new RenderBudget({ steps: 1_000 });
    expect(() => fastRender(NESTED_EMPTY_LOOPS)({}, { items: items(20_000) }, budget)).toThrow(
      FastPathBailout,
    );
    expect(budget.exceeded).toBe("steps");
    expect(budget.stepsUsed).toBe(1_001);
  });

  test("nested empty loops stop when time is up, though steps remain", () => {
    const budget = new RenderBudget({ steps: 1_000_000_000, ms: 250 }, steppedClock(100));
    expect(() => fastRender(NESTED_EMPTY_LOOPS)({}, { items: items(20_000) }, budget)).toThrow(
      FastPathBailout,
    );
    expect(budget.exceeded).toBe("ms");
    // Constructed at 0 (deadline 250); readings at 100 and 200 pass, the one at 300 fails.
    expect(budget.stepsUsed).toBe(3 * CLOCK_EVERY);
  });
});

describe("renderNotification: one budget for every path and every part", () => {
  test("the issue's template with 20,000 items is unprocessable within the default budget", async () => {
    const budget = new RenderBudget();
    const error = await renderError(
      template({ message: NESTED_EMPTY_LOOPS }),
      { items: items(20_000) },
      budget,
    );
    expect(error.code).toBe("unprocessable");
    expect(error.extras.errors?.[0]?.path).toBe("message");
    expect(error.message).toContain(`render limit exceeded: more than ${RENDER_LIMITS.steps} steps`);
    expect(budget.exceeded).toBe("steps");
  });

  test("LiquidJS counts steps on the same budget, empty loop bodies included", async () => {
    const budget = new RenderBudget({ steps: 1_000 });
    const error = await renderError(
      template({ message: NESTED_EMPTY_LOOPS_LIQUID }),
      { items: items(20_000) },
      budget,
    );
    expect(error.code).toBe("unprocessable");
    expect(error.message).toContain("more than 1000 steps");
    expect(budget.stepsUsed).toBe(1_001);
  });

  test("LiquidJS stops when the shared time is up", async () => {
    const budget = new RenderBudget({ steps: 1_000_000_000, ms: 250 }, steppedClock(100));
    const error = await renderError(
      template({ message: NESTED_EMPTY_LOOPS_LIQUID }),
      { items: items(20_000) },
      budget,
    );
    expect(error.code).toBe("unprocessable");
    expect(error.message).toContain("more than 250 ms");
    expect(budget.exceeded).toBe("ms");
  });

  test("LiquidJS allocations draw on the same memory budget", async () => {
    const budget = new RenderBudget({ memory: 1_000 });
    const t = template({
      message: "{% for a in items limit: 100 %}{{ a | append: 'xxxxxxxxxx' }}{% endfor %}",
    });
    const error = await renderError(t, { items: items(500).map(String) }, budget);
    expect(error.code).toBe("unprocessable");
    expect(budget.exceeded).toBe("memory");
  });

  /** Steps the branded layouts take around an empty title and message (every notification renders them). */
  async function layoutSteps(): Promise<number> {
    const budget = new RenderBudget();
    await renderNotification(template({ title: "", message: "" }), { items: [] }, globals, budget);
    return budget.stepsUsed;
  }

  test("parts share one budget: each fits alone, together they do not", async () => {
    const loop = "{% for a in items %}{% endfor %}"; // 41 steps over 40 items
    const t = template({ title: loop, message: loop });
    const context = { items: items(40) };
    const steps = 82 + (await layoutSteps());
    expect((await renderNotification(t, context, globals, new RenderBudget({ steps }))).title).toBe("");
    const error = await renderError(t, context, new RenderBudget({ steps: 81 }));
    expect(error.extras.errors?.[0]?.path).toBe("message");
    expect(error.message).toContain("counted across all parts of the notification");
  });

  test("a part on the fast path and a part on LiquidJS share the budget too", async () => {
    const fast = "{% for a in items %}{% endfor %}";
    const liquid = "{% for a in items limit: 100 %}{% endfor %}";
    const t = template({ title: fast, message: liquid });
    const context = { items: items(40) };
    const spent = new RenderBudget();
    await renderNotification(t, context, globals, spent);
    const steps = spent.stepsUsed - (await layoutSteps()) - 1;
    const error = await renderError(t, context, new RenderBudget({ steps }));
    expect(error.extras.errors?.[0]?.path).toBe("message");
  });

  test("each call starts its own default budget", async () => {
    const t = template({ message: "{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}" });
    const context = { items: items(200) }; // 40,401 steps: fits once, and again in the next call
    for (let i = 0; i < 3; i++) expect((await renderNotification(t, context, globals)).message).toBe("");
  });
});
