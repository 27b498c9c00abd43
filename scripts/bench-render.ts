/**
 * Benchmark (not a test): µs per `renderNotification` for each default template, as the notifications path
 * calls it (title, message, email inside both layouts, SMS). Run: `bun scripts/bench-render.ts [iterations]`.
 */
import { DEFAULT_BRANDING } from "../src/domain/branding/branding.service.ts";
import { DEFAULT_TEMPLATES, loadDefaultTemplate } from "../src/domain/seed/seed.ts";
import { renderNotification } from "../src/domain/templates/templates.renderer.ts";
import type { RenderGlobals } from "../src/domain/templates/templates.types.ts";

const globals: RenderGlobals = {
  recipient: { id: "cust-7", name: "Dana Reyes", kind: "customer", locale: "en" },
  branding: { ...DEFAULT_BRANDING, companyName: "Acme Repairs", supportEmail: "help@acme.example" },
  actionUrl: "https://portal.example.com/repairs/R-1042",
  priority: "HIGH",
  category: "repair",
  preferencesUrl: "https://portal.example.com/preferences",
};
const repairContext = {
  repair: { id: "R-1042", title: "Leaking kitchen faucet", address: "1200 W Elm St, Apt 4B, Springfield" },
  customer: { id: "cust-7", name: "Dana Reyes" },
  technician: { id: "tech-3", name: "Tess O'Neil" },
  reason: "Outside our service area",
};
const digestContext = {
  digest: {
    date: "Thursday, January 15",
    count: 5,
    items: Array.from({ length: 5 }, (_, i) => ({
      title: `Repair R-10${i} approved`,
      message: "Good news.",
    })),
  },
};

const iterations = Number(process.argv[2] ?? 20_000);
for (const def of DEFAULT_TEMPLATES) {
  const template = { ...loadDefaultTemplate(def), version: 1, createdAt: 0, updatedAt: 0 };
  const context = def.name === "daily-digest" ? digestContext : repairContext;
  for (let i = 0; i < 2_000; i++) await renderNotification(template, context, globals);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await renderNotification(template, context, globals);
  const micros = ((performance.now() - started) * 1000) / iterations;
  console.log(`${def.name.padEnd(18)} ${micros.toFixed(1).padStart(7)} µs per render`);
}
