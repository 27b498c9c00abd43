/**
 * SNS signature verification: the message's signature over its canonical string, checked with the public key
 * of the certificate at its (already vetted) SigningCertURL. Certificates are fetched once and kept in a
 * small bounded cache: SNS signs with a handful of certificates that rotate rarely. Failed fetches are
 * remembered briefly, so forged messages cannot turn Herald into a fetcher of whatever paths they name.
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

/** Limits of {@link createSnsSignatureVerifier}'s certificate cache and fetches. */
export interface SnsSignatureVerifierOptions {
  /** Certificates kept (least recently used evicted first). Default 16. */
  maxCertificates?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** How long a certificate URL whose fetch failed is not fetched again. Default 60 s. */
  failureTtlMs?: number;
  /** After any failed fetch, how long no certificate Herald does not hold yet is fetched. Default 10 s. */
  failureBackoffMs?: number;
  /** Fetches of different certificates in flight at once. Default 2. */
  maxConcurrentFetches?: number;
}

/** How many failed URLs are remembered (oldest forgotten first): a bound on memory, not on fetches. */
const MAX_REMEMBERED_FAILURES = 1_024;

/**
 * Builds a verifier fetching certificates with `fetchCertificate`. Good certificates are cached (bounded LRU).
 * Failures are cached briefly, per URL and as a whole: after a failed fetch, no new certificate is fetched for
 * `failureBackoffMs`, so forged messages naming a fresh certificate path each cannot make Herald call out once
 * per request (and a flood of them cannot evict the real certificates, which are cached only once fetched).
 * A refused fetch is `unavailable` (503), which SNS retries.
 */
export function createSnsSignatureVerifier(
  fetchCertificate: (url: string) => Promise<string>,
  options: SnsSignatureVerifierOptions = {},
): SnsSignatureVerifier {
  const maxCertificates = options.maxCertificates ?? 16;
  const now = options.now ?? Date.now;
  const failureTtlMs = options.failureTtlMs ?? 60_000;
  const failureBackoffMs = options.failureBackoffMs ?? 10_000;
  const maxConcurrentFetches = options.maxConcurrentFetches ?? 2;
  // Fetched certificates; `null` marks one that did not parse (also a fetch not worth repeating).
  const keys = new Map<string, KeyObject | null>();
  // Fetches in flight, shared by concurrent messages naming the same certificate.
  const pending = new Map<string, Promise<KeyObject | null>>();
  // When each failed URL may be fetched again.
  const failedUntil = new Map<string, number>();
  let lastFailureAt = Number.NEGATIVE_INFINITY;

  const unavailable = (detail: Record<string, unknown>) =>
    new AppError("unavailable", "The SNS signing certificate could not be fetched; SNS will retry", detail);

  function remember(url: string, key: KeyObject | null) {
    keys.set(url, key);
    while (keys.size > maxCertificates) {
      const oldest = keys.keys().next().value;
      if (oldest === undefined) break;
      keys.delete(oldest);
    }
  }

  function publicKeyAt(url: string): Promise<KeyObject | null> {
    if (keys.has(url)) {
      const key = keys.get(url) ?? null;
      // Re-insert to keep the most recently used certificates at the end (the oldest is evicted first).
      keys.delete(url);
      keys.set(url, key);
      return Promise.resolve(key);
    }
    const inFlight = pending.get(url);
    if (inFlight) return inFlight;
    const at = now();
    if ((failedUntil.get(url) ?? 0) > at) return Promise.reject(unavailable({ cause: "recently-failed" }));
    if (at - lastFailureAt < failureBackoffMs) return Promise.reject(unavailable({ cause: "backing-off" }));
    if (pending.size >= maxConcurrentFetches) return Promise.reject(unavailable({ cause: "busy" }));
    const loading = fetchCertificate(url)
      .then(
        (pem) => {
          let key: KeyObject | null = null;
          try {
            key = new X509Certificate(pem).publicKey;
          } catch {
            // Not a certificate: remembered as one that verifies nothing.
          }
          remember(url, key);
          return key;
        },
        (error: unknown) => {
          lastFailureAt = now();
          failedUntil.delete(url);
          failedUntil.set(url, lastFailureAt + failureTtlMs);
          while (failedUntil.size > MAX_REMEMBERED_FAILURES) {
            const oldest = failedUntil.keys().next().value;
            if (oldest === undefined) break;
            failedUntil.delete(oldest);
          }
          throw unavailable({ cause: error instanceof Error ? error.name : "unknown" });
        },
      )
      .finally(() => pending.delete(url));
    pending.set(url, loading);
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
