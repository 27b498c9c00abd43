/**
 * The outbound HTTPS calls the SNS webhook makes: fetching signing certificates and visiting SubscribeURLs.
 * Callers vet every URL first (`sns-message.rules.ts`); tests replace this adapter to serve a test
 * certificate without the network.
 */

/** Outbound HTTPS for the SNS webhook. */
export interface SnsHttp {
  /** The PEM text of the certificate at a vetted `SigningCertURL`. */
  fetchCertificate(url: string): Promise<string>;
  /** Visits a vetted `SubscribeURL`, which confirms the subscription. */
  confirmSubscription(url: string): Promise<void>;
}

/** Certificates are a couple of kilobytes; anything much larger is not one. */
const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** The real adapter on `fetch`, with a timeout and no redirects (a redirect could leave the vetted host). */
export function fetchSnsHttp(timeoutMs: number): SnsHttp {
  async function get(url: string): Promise<Response> {
    const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`GET ${new URL(url).host} answered ${response.status}`);
    return response;
  }
  return {
    async fetchCertificate(url) {
      const pem = await (await get(url)).text();
      if (pem.length > MAX_CERTIFICATE_BYTES) throw new Error("the signing certificate is implausibly large");
      return pem;
    },
    async confirmSubscription(url) {
      await (await get(url)).arrayBuffer();
    },
  };
}
