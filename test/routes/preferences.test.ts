import { describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { notifications, preferences } from "../../db/schema.ts";
import { runDigests } from "../../src/domain/digest/digest.service.ts";
import { makeTestApp } from "../helpers/test-app.ts";

const t = await makeTestApp({ seed: false });

const defaults = {
  emailEnabled: true,
  smsEnabled: true,
  categoryOptOuts: { email: [], sms: [] },
  quietHours: { enabled: false, start: "22:00", end: "07:00" },
  digestHour: 9,
  digestCategories: [] as string[],
};

const custom = {
  emailEnabled: false,
  smsEnabled: true,
  categoryOptOuts: { email: ["marketing"], sms: ["marketing", "repair", "marketing"] },
  quietHours: { enabled: true, start: "23:30", end: "06:15" },
  digestHour: 18,
  digestCategories: ["reminder", "reminder"],
};

const person = (id: string) =>
  t.call("PUT", `/v1/recipients/${id}`, { body: { kind: "customer" }, key: t.portalKey });
const storedRow = async (id: string) =>
  (await t.deps.db.read.select().from(preferences).where(eq(preferences.recipientId, id)))[0];

describe("GET /v1/recipients/{id}/preferences", () => {
  test("a recipient who never set preferences gets the defaults, and no row is written", async () => {
    await person("pref-new");
    const res = await t.call("GET", "/v1/recipients/pref-new/preferences", { key: t.portalKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(defaults);
    expect(await storedRow("pref-new")).toBeUndefined();
  });

  test("an unknown recipient is 404", async () => {
    const res = await t.call("GET", "/v1/recipients/nobody/preferences", { key: t.portalKey });
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe("not-found");
  });
});

describe("PUT /v1/recipients/{id}/preferences", () => {
  test("replaces the whole document; repeated categories are stored once; GET returns it", async () => {
    await person("pref-1");
    const res = await t.call("PUT", "/v1/recipients/pref-1/preferences", { body: custom, key: t.portalKey });
    expect(res.status).toBe(200);
    const expected = {
      ...custom,
      categoryOptOuts: { email: ["marketing"], sms: ["marketing", "repair"] },
      digestCategories: ["reminder"],
    };
    expect(await res.json()).toEqual(expected);
    expect(await (await t.call("GET", "/v1/recipients/pref-1/preferences")).json()).toEqual(expected);
    expect((await storedRow("pref-1"))?.updatedAt).toBe(t.clock.now());

    const back = await t.call("PUT", "/v1/recipients/pref-1/preferences", {
      body: defaults,
      key: t.portalKey,
    });
    expect(await back.json()).toEqual(defaults);
  });

  test("quiet hours may cross midnight or sit inside one day", async () => {
    await person("pref-2");
    for (const quietHours of [
      { enabled: true, start: "22:00", end: "07:00" },
      { enabled: true, start: "00:00", end: "23:59" },
      { enabled: false, start: "12:00", end: "13:00" },
    ]) {
      const res = await t.call("PUT", "/v1/recipients/pref-2/preferences", {
        body: { ...defaults, quietHours },
      });
      expect(res.status).toBe(200);
      expect((await res.json()).quietHours).toEqual(quietHours);
    }
  });

  test("a bad document is a 400 naming every bad field, and nothing changes", async () => {
    await person("pref-3");
    await t.call("PUT", "/v1/recipients/pref-3/preferences", { body: custom });
    const before = await storedRow("pref-3");
    t.clock.advance(1000);
    const res = await t.call("PUT", "/v1/recipients/pref-3/preferences", {
      body: {
        emailEnabled: "yes",
        categoryOptOuts: { email: "marketing", sms: [""] },
        quietHours: { enabled: true, start: "24:00", end: "7:00" },
        digestHour: 24,
        colour: "blue",
      },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = await res.json();
    expect(problem.code).toBe("validation-failed");
    const paths = problem.errors.map((e: { path: string }) => e.path);
    for (const path of [
      "emailEnabled",
      "smsEnabled",
      "categoryOptOuts.email",
      "categoryOptOuts.sms.0",
      "quietHours.start",
      "quietHours.end",
      "digestHour",
    ]) {
      expect(paths).toContain(path);
    }
    expect(problem.errors.some((e: { message: string }) => e.message.includes("colour"))).toBe(true);
    expect(await storedRow("pref-3")).toEqual(before);
  });

  test("quiet hours starting when they end are refused on quietHours.end", async () => {
    await person("pref-4");
    const res = await t.call("PUT", "/v1/recipients/pref-4/preferences", {
      body: { ...defaults, quietHours: { enabled: true, start: "08:00", end: "08:00" } },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      { path: "quietHours.end", message: "must differ from start" },
    ]);
    expect(await storedRow("pref-4")).toBeUndefined();
  });

  test("an unknown or erased recipient is 404 and gets no row", async () => {
    expect((await t.call("PUT", "/v1/recipients/nobody/preferences", { body: custom })).status).toBe(404);
    expect(await storedRow("nobody")).toBeUndefined();

    await person("pref-erased");
    await t.call("PUT", "/v1/recipients/pref-erased/preferences", { body: custom });
    expect((await t.call("DELETE", "/v1/recipients/pref-erased")).status).toBe(204);
    expect((await t.call("GET", "/v1/recipients/pref-erased/preferences")).status).toBe(404);
    expect((await t.call("PUT", "/v1/recipients/pref-erased/preferences", { body: custom })).status).toBe(
      404,
    );
    expect(await storedRow("pref-erased")).toBeUndefined();
  });
});

const digestTemplate = {
  name: "daily-digest",
  category: "digest",
  defaultPriority: "LOW",
  title: "{{ digest.count }} updates",
  message: "{{ digest.count }} updates",
  emailSubject: "{{ digest.count }} updates",
  emailText: "{% for item in digest.items %}{{ item.title }}{% endfor %}",
  requiredContext: ["digest.count", "digest.items"],
};

describe("digestCategories", () => {
  test("emails of a digested category wait for the daily digest and go out in it; other categories are sent", async () => {
    for (const [name, category] of [
      ["pref-reminder", "reminder"],
      ["pref-repair", "repair"],
    ]) {
      const created = await t.call("POST", "/v1/templates", {
        body: {
          name,
          category,
          defaultPriority: "MEDIUM",
          title: "Note {{ n }}",
          message: "Note {{ n }}",
          emailSubject: "Note {{ n }}",
          emailText: "Note {{ n }}",
          requiredContext: ["n"],
        },
      });
      expect(created.status).toBe(201);
    }
    await t.call("POST", "/v1/templates", { body: digestTemplate });
    await t.call("PUT", "/v1/recipients/pref-digest", {
      body: { kind: "customer", email: "digest@example.com", emailVerified: true, timezone: "UTC" },
      key: t.portalKey,
    });
    await t.call("PUT", "/v1/recipients/pref-digest/preferences", {
      body: { ...defaults, digestCategories: ["reminder"] },
    });

    const send = async (template: string) => {
      const res = await t.call("POST", "/v1/notifications", {
        body: { recipientId: "pref-digest", template, context: { n: template } },
        key: t.portalKey,
      });
      return (await res.json()).decisions.find((d: { channel: string }) => d.channel === "email");
    };
    const nextNine = Date.UTC(2026, 0, 16, 9); // the clock is at 2026-01-15 12:00Z
    expect(await send("pref-reminder")).toMatchObject({
      status: "digest",
      reason: "digest",
      runAt: nextNine,
    });
    expect(await send("pref-repair")).toMatchObject({ status: "queued" });

    const result = await runDigests(t.deps, nextNine);
    expect(result).toMatchObject({ digests: 1, items: 1 });
    const [digest] = await t.deps.db.read
      .select()
      .from(notifications)
      .where(and(eq(notifications.recipientId, "pref-digest"), eq(notifications.template, "daily-digest")));
    expect(digest?.context).toMatchObject({ digest: { count: 1, items: [{ title: "Note pref-reminder" }] } });
  });
});

describe("preferences auth", () => {
  test("no key is 401; a recipient token is 403 even for its own recipient", async () => {
    await person("pref-auth");
    expect((await t.call("GET", "/v1/recipients/pref-auth/preferences", { key: null })).status).toBe(401);
    const { token } = await (
      await t.call("POST", "/v1/recipients/pref-auth/tokens", { key: t.portalKey })
    ).json();
    const get = await t.call("GET", "/v1/recipients/pref-auth/preferences", { key: token });
    expect(get.status).toBe(403);
    const put = await t.call("PUT", "/v1/recipients/pref-auth/preferences", { body: custom, key: token });
    expect(put.status).toBe(403);
    expect(await storedRow("pref-auth")).toBeUndefined();
  });
});

describe("PATCH /v1/recipients/{id}/preferences (JSON merge patch)", () => {
  const patch = (id: string, body: unknown, contentType = "application/merge-patch+json") =>
    t.call("PATCH", `/v1/recipients/${id}/preferences`, {
      body,
      key: t.portalKey,
      headers: { "content-type": contentType },
    });

  test("changes only the members it names; nested objects merge, arrays are replaced whole", async () => {
    await person("patch-1");
    await t.call("PUT", "/v1/recipients/patch-1/preferences", { body: custom, key: t.portalKey });
    const res = await patch("patch-1", {
      smsEnabled: false,
      quietHours: { start: "21:00" },
      categoryOptOuts: { sms: ["promo"] },
    });
    expect(res.status).toBe(200);
    const expected = {
      ...custom,
      smsEnabled: false,
      categoryOptOuts: { email: ["marketing"], sms: ["promo"] },
      quietHours: { enabled: true, start: "21:00", end: "06:15" },
      digestCategories: ["reminder"],
    };
    expect(await res.json()).toEqual(expected);
    expect(await (await t.call("GET", "/v1/recipients/patch-1/preferences")).json()).toEqual(expected);
  });

  test("null puts a member back to its default, at the top level and inside an object", async () => {
    await person("patch-2");
    await t.call("PUT", "/v1/recipients/patch-2/preferences", { body: custom, key: t.portalKey });
    const res = await patch("patch-2", {
      emailEnabled: null,
      digestHour: null,
      quietHours: { enabled: null },
      categoryOptOuts: null,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ...custom,
      emailEnabled: true,
      digestHour: 9,
      quietHours: { enabled: false, start: "23:30", end: "06:15" },
      categoryOptOuts: { email: [], sms: [] },
      digestCategories: ["reminder"],
    });
  });

  test("a recipient who never set preferences is patched from the defaults; application/json is accepted too", async () => {
    await person("patch-3");
    const res = await patch("patch-3", { digestCategories: ["reminder"] }, "application/json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...defaults, digestCategories: ["reminder"] });
    expect((await storedRow("patch-3"))?.digestCategories).toEqual(["reminder"]);
  });

  test("a bad member, an unknown member, or a merge that leaves quiet hours empty is a 400 and nothing changes", async () => {
    await person("patch-4");
    for (const body of [{ digestHour: 24 }, { emailEnabld: false }, { quietHours: { start: "07:00" } }]) {
      const res = await patch("patch-4", body);
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe("validation-failed");
    }
    expect(await storedRow("patch-4")).toBeUndefined();
  });

  test("an unknown recipient is 404; a body that is not JSON is 415", async () => {
    expect((await patch("nobody", { smsEnabled: false })).status).toBe(404);
    await person("patch-5");
    expect((await patch("patch-5", "smsEnabled=false", "text/plain")).status).toBe(415);
  });
});
