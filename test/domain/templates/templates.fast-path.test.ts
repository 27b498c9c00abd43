import { describe, expect, test } from "bun:test";
import type { Liquid } from "liquidjs";
import { DEFAULT_BRANDING } from "../../../src/domain/branding/branding.service.ts";
import { DEFAULT_TEMPLATES, loadDefaultTemplate } from "../../../src/domain/seed/seed.ts";
import { engineFor, engines } from "../../../src/domain/templates/templates.compiler.ts";
import { compileFastPath, FastPathBailout } from "../../../src/domain/templates/templates.fast-path.ts";
import { LAYOUT_DIR } from "../../../src/domain/templates/templates.layout.ts";
import { LIQUID_FIELDS } from "../../../src/domain/templates/templates.rules.ts";

/**
 * Differential tests: the fast path must give exactly LiquidJS's output whenever it finishes, and bail out
 * (so LiquidJS decides) otherwise. `expected` says which of the two a case should take, so a fast path that
 * quietly bails on everything fails too.
 */
type Outcome = { kind: "fast"; out: string } | { kind: "bailed" } | { kind: "unsupported" };

function compare(engine: Liquid, source: string, scope: object, context: object): Outcome {
  const parsed = engine.parse(source);
  let slow: { ok: true; out: string } | { ok: false };
  try {
    slow = { ok: true, out: String(engine.renderSync(parsed, scope, { globals: context })) };
  } catch {
    slow = { ok: false };
  }
  const fast = compileFastPath(engine, parsed);
  if (!fast) return { kind: "unsupported" };
  try {
    const out = fast(scope, context);
    expect({ source, slow }).toEqual({ source, slow: { ok: true, out } });
    return { kind: "fast", out };
  } catch (error) {
    if (!(error instanceof FastPathBailout)) throw error;
    return { kind: "bailed" };
  }
}

const globals = {
  recipient: { id: "r-1", name: "Dana <Reyes>", kind: "customer", locale: "en" },
  branding: { ...DEFAULT_BRANDING, supportEmail: "help@example.com" },
  actionUrl: "https://portal.example.com/repairs/R-1?a=1&b=2",
  priority: "HIGH",
  category: "repair",
  preferencesUrl: "https://portal.example.com/prefs",
};
const context = {
  repair: {
    id: "R-1",
    title: `Fix "the" <sink> & 'tap'`,
    count: 3,
    zero: 0,
    empty: "",
    none: null,
    flag: false,
  },
  list: ["a", "b"],
  emptyList: [],
  people: [
    { name: "Ann", tags: ["x", "y"] },
    { name: "Bo", tags: [] },
  ],
  multiline: "one\ntwo\r\nthree",
  toLiquid: "not a function",
  obj: { a: 1, size: 7 },
  obj2: { a: 1, b: 2 },
};

const cases: [string, "fast" | "bailed" | "unsupported", Liquid?][] = [
  ["plain text", "fast"],
  ["{{ repair.id }} {{ repair.count }} {{ repair.flag }} {{ repair.none }}", "fast"],
  ["{{ repair.title }}", "fast"],
  ["{{ repair.title }}", "fast", engines.html],
  ["{{ repair.title | raw }}", "fast", engines.html],
  ["{{ repair.title | escape }}", "fast"],
  ["{{ multiline | newline_to_br }}", "fast"],
  ["{{ multiline | escape | newline_to_br | raw }}", "fast", engines.html],
  ["{{ repair.id | upcase }}{{ repair.id | downcase }}", "fast"],
  ["{{ 'literal' }}{{ 42 }}{{ true }}", "fast"],
  [
    "{{ repair.empty | default: 'none' }}|{{ repair.none | default: 'none' }}|{{ repair.flag | default: 'x' }}",
    "fast",
  ],
  [
    "{{ repair.zero | default: 'x' }}|{{ emptyList | default: 'none' }}|{{ repair.missing | default: 'gone' }}",
    "fast",
  ],
  ["{{ recipient.name | default: repair.id }}", "fast", engines.html],
  ["{{ repair.id | default: repair.missing }}", "bailed"],
  ["{{ repair.missing }}", "bailed"],
  ["{{ missing.deep.path }}", "bailed"],
  ["{{ repair.none.deeper }}", "fast"],
  ["{{ repair.constructor }}", "bailed"],
  ["{{ constructor }}", "bailed"],
  ["{{ toLiquid }}", "fast"],
  ["{{ list }}", "bailed"],
  ["{{ obj2 }}", "bailed"],
  ["{{ list.size }} {{ obj.size }} {{ obj2.size }} {{ list[1] }} {{ list.length }}", "fast"],
  ["{{ list.first }}", "bailed"],
  ["{{ list[-1] }}", "bailed"],
  ["{{ repair.id.size }}", "bailed"],
  ["{% if repair.count > 2 %}big{% elsif repair.count == 2 %}two{% else %}small{% endif %}", "fast"],
  ["{% if repair.missing %}yes{% else %}no{% endif %}{% if missing.deep %}y{% endif %}", "fast"],
  ["{% if repair.zero %}zero is truthy{% endif %}{% if repair.empty %}empty is truthy{% endif %}", "fast"],
  [
    "{% if repair.flag or repair.none %}a{% elsif repair.id == 'R-1' and repair.count != 4 %}b{% endif %}",
    "fast",
  ],
  ["{% if repair.none == nil %}nil{% endif %}", "unsupported"],
  ["{% if repair.missing > 1 %}gt{% else %}not{% endif %}", "fast"],
  ["{% if list == list %}same{% endif %}", "bailed"],
  ["{% unless repair.flag %}unless{% else %}else{% endunless %}", "fast"],
  ["{% unless repair.id %}no{% elsif repair.count %}elsif{% endunless %}", "fast"],
  ["{% if repair.id contains 'R' %}c{% endif %}", "unsupported"],
  [
    "{% for p in people %}{{ p.name }}:{% for t in p.tags %}{{ t }}{% else %}-{% endfor %};{% endfor %}",
    "fast",
  ],
  ["{% for recipient in people %}{{ recipient.name }}{% endfor %}{{ recipient.name }}", "fast"],
  ["{% for x in emptyList %}{{ x }}{% else %}none{% endfor %}", "fast"],
  ["{% for x in list %}{{ forloop.index }}{% endfor %}", "unsupported"],
  ["{% for x in list limit: 1 %}{{ x }}{% endfor %}", "unsupported"],
  ["{% for x in repair.id %}{{ x }}{% endfor %}", "bailed"],
  ["{% for x in repair.missing %}{{ x }}{% endfor %}", "bailed"],
  ["{% assign y = repair.id %}{{ y }}", "unsupported"],
  [
    "{{ repair.count | plus: 1 }} {{ repair.count | minus: list.size }} {{ repair.id | plus: '2.5' }}",
    "fast",
  ],
  ["{{ repair.count | minus: repair.missing }}", "bailed"],
  ["{{ repair.count | times: 2 }}", "unsupported"],
  ["{% comment %}hidden {{ repair.id }}{% endcomment %}{% # inline %}shown", "fast"],
  ["{%- if repair.id -%}\n  trimmed  \n{%- endif -%}", "fast"],
];

describe("the fast path matches LiquidJS", () => {
  for (const [source, expected, engine] of cases) {
    test(`${expected}: ${source}${engine === engines.html ? " (html)" : ""}`, () => {
      expect(compare(engine ?? engines.text, source, globals, context).kind).toBe(expected);
    });
  }

  test("the globals shadow context keys of the same name", () => {
    const out = compare(engines.text, "{{ priority }}", globals, { priority: "from context" });
    expect(out).toEqual({ kind: "fast", out: "HIGH" });
  });

  test("a non-plain context goes to LiquidJS", () => {
    class Repair {
      id = "R-9";
    }
    expect(compare(engines.text, "{{ repair.id }}", globals, { repair: new Repair() }).kind).toBe("bailed");
  });

  test("a render that exceeds the memory limit goes to LiquidJS", () => {
    const big = { text: "x".repeat(3_000_000), list: [1, 2] };
    const out = compare(engines.text, "{% for i in list %}{{ text | upcase }}{% endfor %}", globals, big);
    expect(out.kind).toBe("bailed");
  });
});

describe("every default template and the layouts take the fast path", () => {
  const fixtures: Record<string, Record<string, unknown>> = {
    "daily-digest": { digest: { date: "Jan 15", count: 3, items: [{ title: "T", message: "M" }] } },
  };
  const repairContext = {
    repair: { id: "R-1", title: "Sink", address: "1 Main St" },
    customer: { name: "Dana" },
    technician: { name: "Tess" },
    reason: "Out of area",
  };
  for (const def of DEFAULT_TEMPLATES) {
    test(def.name, () => {
      const t = loadDefaultTemplate(def);
      for (const field of LIQUID_FIELDS) {
        const source = t[field];
        if (source == null) continue;
        const outcome = compare(engineFor(field), source, globals, fixtures[def.name] ?? repairContext);
        expect([field, outcome.kind]).toEqual([field, "fast"]);
      }
    });
  }

  test("layouts", async () => {
    const html = await Bun.file(`${LAYOUT_DIR}/email.html.liquid`).text();
    const text = await Bun.file(`${LAYOUT_DIR}/email.txt.liquid`).text();
    const scope = { ...globals, content: "<p>Body</p>", subject: "Subject <b>", preheader: "Pre & header" };
    expect(compare(engines.html, html, scope, {}).kind).toBe("fast");
    expect(compare(engines.text, text, scope, {}).kind).toBe("fast");
    const bare = { ...scope, actionUrl: null, branding: DEFAULT_BRANDING };
    expect(compare(engines.html, html, bare, {}).kind).toBe("fast");
    expect(compare(engines.text, text, bare, {}).kind).toBe("fast");
  });
});
