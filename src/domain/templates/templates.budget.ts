/**
 * One render budget per notification. Rendering is synchronous on the only thread, so a template and context
 * that loop long enough hold every request behind them. A notification renders up to eight parts (title,
 * message, email subject, HTML and text, both layouts, SMS), each on the fast path, LiquidJS or both (after a
 * bail-out), and every one of them draws on the same budget: steps, wall time and allocated characters.
 *
 * A step is one unit of template work: a node rendered or a loop iteration, counted even when the loop body
 * is empty, so `{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}` runs out of steps long
 * before it runs out of time. The clock is read only every {@link CLOCK_EVERY} steps, so the count stays a
 * few nanoseconds per step.
 */

/** The limits of one budget. */
export interface RenderLimits {
  /** Template steps (nodes rendered and loop iterations) per notification. */
  steps: number;
  /** Milliseconds of rendering per notification. */
  ms: number;
  /** Characters and array elements rendering may allocate per notification (filters, ranges, output). */
  memory: number;
}

/**
 * The default budget: far above any real notification (a branded email with a 200-row table takes a few
 * thousand steps and well under a millisecond), far below a denial of service.
 */
export const RENDER_LIMITS: Readonly<RenderLimits> = {
  steps: 100_000,
  ms: 250,
  memory: 5_000_000,
};

/** Steps between two readings of the clock (a power of two, so the test is a mask). */
export const CLOCK_EVERY = 1024;

/** Which limit a spent budget ran into. */
export type RenderLimit = keyof RenderLimits;

/**
 * A notification's render budget. Spending is sticky: once a limit is passed every further step fails, so a
 * fallback from the fast path to LiquidJS cannot start the work over.
 */
export class RenderBudget {
  readonly limits: Readonly<RenderLimits>;
  private readonly now: () => number;
  private readonly deadline: number;
  private steps = 0;
  private memory = 0;
  /** The limit this budget ran into, or null while it lasts. */
  exceeded: RenderLimit | null = null;

  /**
   * Starts a budget now. `now` reads milliseconds from any origin (tests pass a stepped clock so the time
   * limit is tested without waiting).
   */
  constructor(limits: Partial<RenderLimits> = {}, now: () => number = () => performance.now()) {
    this.limits = { ...RENDER_LIMITS, ...limits };
    this.now = now;
    this.deadline = now() + this.limits.ms;
  }

  /** Spends one step; false when the budget is spent. Reads the clock every {@link CLOCK_EVERY} steps. */
  step(): boolean {
    if (this.exceeded) return false;
    if (++this.steps > this.limits.steps) return this.exceed("steps");
    if ((this.steps & (CLOCK_EVERY - 1)) === 0) return this.checkTime();
    return true;
  }

  /** Reads the clock now (between parts, where one reading is cheap); false when time is up. */
  checkTime(): boolean {
    if (this.exceeded) return false;
    return this.now() > this.deadline ? this.exceed("ms") : true;
  }

  /** Spends `count` characters or elements of memory; false when the budget is spent. */
  allocate(count: number): boolean {
    if (this.exceeded) return false;
    if (count > 0) this.memory += count;
    return this.memory > this.limits.memory ? this.exceed("memory") : true;
  }

  /** Steps spent so far (for tests and diagnostics). */
  get stepsUsed(): number {
    return this.steps;
  }

  /** Why the budget is spent, in words for an error message. */
  describe(): string {
    switch (this.exceeded) {
      case "steps":
        return `more than ${this.limits.steps} steps (nodes and loop iterations)`;
      case "ms":
        return `more than ${this.limits.ms} ms`;
      case "memory":
        return `more than ${this.limits.memory} characters of memory`;
      default:
        return "nothing yet";
    }
  }

  private exceed(limit: RenderLimit): false {
    this.exceeded = limit;
    return false;
  }
}

/** Thrown into LiquidJS when the budget is spent; the renderer reports the budget, not this message. */
export class RenderBudgetExceeded extends Error {
  constructor(readonly budget: RenderBudget) {
    super(`render budget exceeded: ${budget.describe()}`);
    this.name = "RenderBudgetExceeded";
  }
}

/**
 * The budget in the shape LiquidJS's `Context` takes for its limiters: it calls `check(now)` before every
 * template node and loop iteration (one step each), and `use(count)` wherever a filter allocates.
 */
export function liquidLimiters(budget: RenderBudget) {
  return {
    renderLimit: {
      check(): void {
        if (!budget.step()) throw new RenderBudgetExceeded(budget);
      },
      use(): void {},
    },
    memoryLimit: {
      check(): void {},
      use(count: number): void {
        if (!budget.allocate(+count)) throw new RenderBudgetExceeded(budget);
      },
    },
  };
}
