/**
 * SNS signature verification: the message's signature over its canonical string, checked with the public key
 * of the certificate at its (already vetted) SigningCertURL. Certificates are fetched once and kept in a
 * small bounded cache: SNS signs with a handful of certificates that rotate rarely.
 */
import { type KeyObject, verify, X509Certificate } from "node:crypto";
import { AppError } from "../../errors.ts";
import { type SnsMessage, signatureDigest, stringToSign } from "./sns-message.rules.ts";

/** Verifies SNS signatures. */
export interface SnsSignatureVerifier {
  /**
   * True when `message` carries a valid signature by the certificate at its SigningCertURL. Throws
   * `unavailable` when the certificate cannot be fetched (SNS retries on 5xx), never for a bad signature.
   */
  verify(message: SnsMessage): Promise<boolean>;
}

/** Builds a verifier fetching certificates with `fetchCertificate` and caching at most `maxCertificates`. */
export function createSnsSignatureVerifier(
  fetchCertificate: (url: string) => Promise<string>,
  maxCertificates = 16,
): SnsSignatureVerifier {
  // Promises are cached so concurrent messages share one fetch; `null` marks a certificate that did not parse.
  const cache = new Map<string, Promise<KeyObject | null>>();

  function publicKeyAt(url: string): Promise<KeyObject | null> {
    const cached = cache.get(url);
    if (cached) {
      // Re-insert to keep the most recently used certificates at the end (the oldest is evicted first).
      cache.delete(url);
      cache.set(url, cached);
      return cached;
    }
    const loading = fetchCertificate(url).then(
      (pem) => {
        try {
          return new X509Certificate(pem).publicKey;
        } catch {
          return null;
        }
      },
      (error: unknown) => {
        cache.delete(url); // a network failure is not remembered: the next delivery tries again
        throw new AppError(
          "unavailable",
          "The SNS signing certificate could not be fetched; SNS will retry",
          {
            cause: error instanceof Error ? error.name : "unknown",
          },
        );
      },
    );
    cache.set(url, loading);
    while (cache.size > maxCertificates) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    return loading;
  }

  return {
    async verify(message) {
      const digest = signatureDigest(message.SignatureVersion);
      if (!digest) return false;
      const key = await publicKeyAt(message.SigningCertURL);
      if (!key) return false;
      try {
        return verify(
          digest,
          Buffer.from(stringToSign(message), "utf8"),
          key,
          Buffer.from(message.Signature, "base64"),
        );
      } catch {
        return false;
      }
    },
  };
}
