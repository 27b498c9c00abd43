/**
 * Request handling shared by the SES and SNS clients: one attempt per call (Herald's own retries, with backoff
 * and the job table's lease, decide what happens next), bounded connection and request time.
 */
export function awsClientOptions({ timeoutMs, maxSockets }: { timeoutMs: number; maxSockets: number }) {
  return {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: Math.min(timeoutMs, 3000),
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      // As many sockets as calls in flight: a call queued for a socket would spend its timeout waiting.
      httpsAgent: { keepAlive: true, maxSockets },
      httpAgent: { keepAlive: true, maxSockets },
    },
  };
}
