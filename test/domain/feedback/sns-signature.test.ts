import { describe, expect, test } from "bun:test";
import { createSnsSignatureVerifier } from "../../../src/domain/feedback/sns-signature.ts";
import { AppError } from "../../../src/errors.ts";
import { CERT_URL, fakeSnsHttp, makeTestSigner, signedMessage } from "../../fixtures/sns/sns-signer.ts";

const now = Date.parse("2026-01-15T12:00:00Z");
const signer = makeTestSigner();
const other = makeTestSigner();

describe("SNS signature verification", () => {
  test("accepts SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA)", async () => {
    const http = fakeSnsHttp({ [CERT_URL]: signer.certificatePem });
    const verifier = createSnsSignatureVerifier(http.fetchCertificate);
    expect(await verifier.verify(signedMessage(signer, now, { SignatureVersion: "1" }))).toBe(true);
    expect(await verifier.verify(signedMessage(signer, now, { SignatureVersion: "2" }))).toBe(true);
    expect(await verifier.verify(signedMessage(signer, now, { Type: "SubscriptionConfirmation" }))).toBe(
      true,
    );
  });

  test("rejects a tampered body, a signature by another key and a version swap", async () => {
    const verifier = createSnsSignatureVerifier(
      fakeSnsHttp({ [CERT_URL]: signer.certificatePem }).fetchCertificate,
    );
    const good = signedMessage(signer, now, { Message: '{"status":"SUCCESS"}' });
    expect(await verifier.verify({ ...good, Message: '{"status":"FAILURE"}' })).toBe(false);
    expect(await verifier.verify({ ...good, TopicArn: `${good.TopicArn}-2` })).toBe(false);
    expect(await verifier.verify(signedMessage(other, now))).toBe(false);
    expect(await verifier.verify({ ...good, SignatureVersion: "2" })).toBe(false);
    expect(await verifier.verify({ ...good, Signature: "not base64 at all!" })).toBe(false);
  });

  test("a certificate that does not parse verifies nothing", async () => {
    const verifier = createSnsSignatureVerifier(
      fakeSnsHttp({ [CERT_URL]: "-----BEGIN CERTIFICATE-----\nxx\n" }).fetchCertificate,
    );
    expect(await verifier.verify(signedMessage(signer, now))).toBe(false);
  });

  test("fetches each certificate once and keeps a bounded number", async () => {
    const urls = [1, 2, 3].map((n) => CERT_URL.replace(".pem", `${n}.pem`));
    const [first, second, third] = urls as [string, string, string];
    const http = fakeSnsHttp(Object.fromEntries(urls.map((u) => [u, signer.certificatePem])));
    const verifier = createSnsSignatureVerifier(http.fetchCertificate, { maxCertificates: 2 });
    const at = (url: string) => signedMessage(signer, now, { SigningCertURL: url });
    await Promise.all([verifier.verify(at(first)), verifier.verify(at(first))]);
    expect(await verifier.verify(at(first))).toBe(true);
    expect(http.fetched).toEqual([first]);
    await verifier.verify(at(second));
    await verifier.verify(at(third)); // evicts the first, the least recently used
    await verifier.verify(at(first));
    expect(http.fetched).toEqual([first, second, third, first]);
  });
});

describe("failed certificate fetches", () => {
  const urls = Array.from({ length: 50 }, (_, n) => CERT_URL.replace(".pem", `-forged-${n}.pem`));
  const [firstForged, secondForged] = urls as [string, string];
  const at = (url: string) => signedMessage(signer, now, { SigningCertURL: url });

  function setup() {
    let clock = now;
    const http = fakeSnsHttp({ [CERT_URL]: signer.certificatePem });
    const verifier = createSnsSignatureVerifier(http.fetchCertificate, {
      now: () => clock,
      failureTtlMs: 60_000,
      failureBackoffMs: 10_000,
    });
    return { http, verifier, advance: (ms: number) => (clock += ms) };
  }

  test("forged messages naming a fresh certificate path each cause one fetch per back-off window, not one each", async () => {
    const { http, verifier, advance } = setup();
    for (const url of urls)
      await expect(verifier.verify(at(url))).rejects.toMatchObject({ code: "unavailable" });
    expect(http.fetched).toEqual([firstForged]);
    advance(10_000);
    for (const url of urls.slice(1))
      await expect(verifier.verify(at(url))).rejects.toMatchObject({ code: "unavailable" });
    expect(http.fetched).toEqual([firstForged, secondForged]);
  });

  test("a failed URL is not fetched again for a minute; then it is", async () => {
    const { http, verifier, advance } = setup();
    const missing = firstForged;
    await expect(verifier.verify(at(missing))).rejects.toBeInstanceOf(AppError);
    advance(59_999);
    await expect(verifier.verify(at(missing))).rejects.toMatchObject({ code: "unavailable" });
    expect(http.fetched).toEqual([missing]);
    advance(1);
    await expect(verifier.verify(at(missing))).rejects.toMatchObject({ code: "unavailable" });
    expect(http.fetched).toEqual([missing, missing]);
  });

  test("concurrent forged messages naming different paths cannot fan out: at most two fetches in flight", async () => {
    const { http, verifier } = setup();
    const results = await Promise.allSettled(urls.map((url) => verifier.verify(at(url))));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(http.fetched).toHaveLength(2);
  });

  test("a certificate already held keeps verifying during a back-off, and forged paths never evict it", async () => {
    const { http, verifier } = setup();
    expect(await verifier.verify(signedMessage(signer, now))).toBe(true);
    for (const url of urls) await verifier.verify(at(url)).catch(() => undefined);
    expect(await verifier.verify(signedMessage(signer, now))).toBe(true);
    expect(http.fetched.filter((u) => u === CERT_URL)).toHaveLength(1);
  });
});
