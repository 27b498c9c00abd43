import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../src/config.ts";

describe("configuration", () => {
  test("defaults give a working local set-up", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_URL: "file:./data/herald.db",
      HERALD_EMAIL_PROVIDER: "outbox",
      HERALD_SMS_PROVIDER: "outbox",
      HERALD_EMAIL_RATE: 14,
      HERALD_SMS_RATE: 10,
    });
    expect(config.HERALD_ADMIN_KEY).toBeUndefined();
  });

  test("a bad environment names every bad key at once", () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: "http",
        HERALD_EMAIL_PROVIDER: "mailgun",
        DATABASE_URL: "postgres://x",
        HERALD_ADMIN_KEY: "short",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).issues.map((i) => i.key).sort();
    expect(keys).toEqual(["DATABASE_URL", "HERALD_ADMIN_KEY", "HERALD_EMAIL_PROVIDER", "PORT"]);
    expect((error as Error).message).toContain("HERALD_EMAIL_PROVIDER");
  });

  test("on Fly.io the public URL is the app's own address unless set; a set one always wins", () => {
    expect(loadConfig({ FLY_APP_NAME: "acme-herald" }).HERALD_PUBLIC_URL).toBe("https://acme-herald.fly.dev");
    expect(
      loadConfig({ FLY_APP_NAME: "acme-herald", HERALD_PUBLIC_URL: "https://notify.acme.com" })
        .HERALD_PUBLIC_URL,
    ).toBe("https://notify.acme.com");
    expect(loadConfig({ FLY_APP_NAME: "acme-herald", HERALD_PUBLIC_URL: "" }).HERALD_PUBLIC_URL).toBe(
      "https://acme-herald.fly.dev",
    );
    expect(loadConfig({}).HERALD_PUBLIC_URL).toBe("http://localhost:3000");
  });

  test("empty values count as unset; cross-field rules are checked", () => {
    expect(loadConfig({ PORT: "" }).PORT).toBe(3000);
    expect(() => loadConfig({ HERALD_LEASE_MS: "1000", HERALD_PROVIDER_TIMEOUT_MS: "900" })).toThrow(
      "HERALD_PROVIDER_TIMEOUT_MS",
    );
  });
});
