import { describe, expect, test } from "bun:test";
import { suppressions } from "../../../db/schema.ts";
import type { ProviderFeedback } from "../../../src/domain/feedback/feedback.rules.ts";
import { applyProviderFeedback } from "../../../src/domain/feedback/feedback.service.ts";
import { removeSuppression } from "../../../src/domain/suppressions/suppressions.service.ts";
import { makeTestApp } from "../../helpers/test-app.ts";

const bounce: ProviderFeedback = {
  channel: "email",
  providerMessageId: "ses-id-we-never-sent", // no delivery of ours matches: e.g. mail sent by another system
  outcome: "bounced",
  errorCode: "Permanent/General",
  errorMessage: "permanent bounce",
  suppress: { contacts: ["ann@example.com"], reason: "bounce", source: "ses", detail: "General" },
  priceUsd: null,
};

describe("provider feedback is applied once per SNS message", () => {
  test("a replayed bounce that matched no delivery does not re-suppress an address the operator lifted", async () => {
    const t = await makeTestApp({ seed: false });
    const listed = async () => (await t.deps.db.read.select().from(suppressions)).map((s) => s.contact);

    expect(await applyProviderFeedback(t.deps, bounce, "sns-message-1")).toBe("unmatched");
    expect(await listed()).toEqual(["ann@example.com"]);

    await removeSuppression(t.deps, "email", "ann@example.com");
    t.clock.advance(10 * 60_000); // still inside SNS's one-hour freshness window
    expect(await applyProviderFeedback(t.deps, bounce, "sns-message-1")).toBe("duplicate");
    expect(await listed()).toEqual([]);

    // A new bounce (a new SNS message) for the address suppresses it again.
    expect(await applyProviderFeedback(t.deps, bounce, "sns-message-2")).toBe("unmatched");
    expect(await listed()).toEqual(["ann@example.com"]);
  });
});
