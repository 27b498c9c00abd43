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

  test("fetches each certificate once, keeps a bounded number, and does not remember network failures", async () => {
    const urls = [1, 2, 3].map((n) => CERT_URL.replace(".pem", `${n}.pem`));
    const [first, second, third] = urls as [string, string, string];
    const http = fakeSnsHttp(Object.fromEntries(urls.map((u) => [u, signer.certificatePem])));
    const verifier = createSnsSignatureVerifier(http.fetchCertificate, 2);
    const at = (url: string) => signedMessage(signer, now, { SigningCertURL: url });
    await Promise.all([verifier.verify(at(first)), verifier.verify(at(first))]);
    expect(await verifier.verify(at(first))).toBe(true);
    expect(http.fetched).toEqual([first]);
    await verifier.verify(at(second));
    await verifier.verify(at(third)); // evicts the first, the least recently used
    await verifier.verify(at(first));
    expect(http.fetched).toEqual([first, second, third, first]);

    const missing = CERT_URL.replace(".pem", "dead.pem");
    const failing = () => verifier.verify(at(missing));
    await expect(failing()).rejects.toBeInstanceOf(AppError);
    await expect(failing()).rejects.toMatchObject({ code: "unavailable" });
    expect(http.fetched.filter((u) => u === missing)).toHaveLength(2);
  });
});
