import type { Deps } from "../../deps.ts";
import { createSnsSignatureVerifier } from "../../domain/feedback/sns-signature.ts";
import { receiveSnsMessage } from "../../domain/feedback/sns-webhook.service.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./webhooks.routes.ts";

/** `/webhooks/sns`: provider feedback from Amazon SNS (outside /v1: SNS signs its messages, it has no API key). */
export function webhookRoutes(deps: Deps) {
  // One verifier per app, so its certificate cache lives as long as the process.
  const verifier = createSnsSignatureVerifier((url) => deps.snsHttp.fetchCertificate(url), {
    now: () => deps.clock.now(),
  });
  return createRouter().openapi(routes.sns, async (c) => {
    const result = await receiveSnsMessage(deps, verifier, {
      body: await c.req.text(),
      typeHeader: c.req.valid("header")["x-amz-sns-message-type"],
    });
    return c.json({ result }, 200);
  });
}
