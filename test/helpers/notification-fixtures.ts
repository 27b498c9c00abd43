/**
 * Documents for the API calls that set up notification tests: the "job-update" template and a technician who can
 * receive email and SMS. Tests pass what matters to them as overrides at the call site.
 */
import { expect } from "bun:test";
import type { TestApp } from "./test-app.ts";

/**
 * A HIGH "repair" template rendered from `{ id }`; each body renders to one GSM-7 SMS segment, which the SMS budget
 * tests rely on.
 */
export const jobUpdateTemplate = {
  name: "job-update",
  category: "repair",
  defaultPriority: "HIGH",
  title: "Repair {{ id }} updated",
  message: "Repair {{ id }} changed",
  emailSubject: "Repair {{ id }}",
  emailHtml: "<p>Repair {{ id }} changed</p>",
  emailText: "Repair {{ id }} changed",
  sms: "Repair {{ id }} changed",
  requiredContext: ["id"],
  active: true,
};

/** The same template rendered from a nested context, for tests that check what each channel renders. */
export const detailedJobUpdateTemplate = {
  name: "job-update",
  description: "A test template",
  category: "repair",
  defaultPriority: "HIGH",
  title: "Repair {{ repair.id }} updated",
  message: "{{ repair.title }} is now {{ status }}",
  emailSubject: "Repair {{ repair.id }}: {{ status }}",
  emailHtml: "<p>{{ repair.title }} is now <b>{{ status }}</b></p>",
  emailText: "{{ repair.title }} is now {{ status }}",
  sms: "Repair {{ repair.id }} is {{ status }}",
  requiredContext: ["repair.id", "repair.title", "status"],
  active: true,
};

/** A context for {@link detailedJobUpdateTemplate}. */
export const detailedJobUpdateContext = { repair: { id: "R-1", title: "Leaking valve" }, status: "approved" };

/** A technician recipient document with verified email and phone, in America/Chicago, with `overrides` applied. */
export function technician(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: "technician",
    email: "pat@example.com",
    emailVerified: true,
    phone: "+15551230001",
    phoneVerified: true,
    timezone: "America/Chicago",
    ...overrides,
  };
}

/** Creates {@link jobUpdateTemplate} and the recipient `recipientId` (portal key), expecting both to be new. */
export async function setUpJobUpdate(
  t: TestApp,
  recipientId = "tech-1",
  recipient = technician(),
): Promise<void> {
  expect((await t.call("POST", "/v1/templates", { body: jobUpdateTemplate })).status).toBe(201);
  expect(
    (await t.call("PUT", `/v1/recipients/${recipientId}`, { body: recipient, key: t.portalKey })).status,
  ).toBe(201);
}
