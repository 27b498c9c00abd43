import type { Deps } from "../../deps.ts";
import { getBranding } from "../../domain/branding/branding.service.ts";
import { unsubscribeFromEmail } from "../../domain/preferences/preferences.service.ts";
import { preferencesUrl, verifyLinkToken } from "../../domain/recipient-tokens/recipient-links.ts";
import { escapeHtml } from "../../domain/templates/email-body.rules.ts";
import { AppError, notFound } from "../../errors.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./unsubscribe.routes.ts";

/** A minimal page in the company's colours; every interpolated value is escaped. */
function document(title: string, body: string, color: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222"><h1 style="color:${color}">${title}</h1>${body}</body></html>`;
}

/**
 * `/unsubscribe`: where every email's `List-Unsubscribe` header and footer link lead. Outside /v1 and without an
 * API key: the signed token in the link is the proof.
 */
export function unsubscribeRoutes(deps: Deps) {
  const recipientOf = (token: string) => {
    const recipientId = verifyLinkToken(deps.tokenSecret, "unsubscribe", token);
    if (!recipientId) throw new AppError("forbidden", "This unsubscribe link is not valid");
    return recipientId;
  };
  return createRouter()
    .openapi(routes.page, async (c) => {
      const { token } = c.req.valid("query");
      recipientOf(token);
      const branding = await getBranding(deps);
      const company = escapeHtml(branding.companyName);
      const action = `/unsubscribe?token=${encodeURIComponent(token)}`;
      return c.html(
        document(
          "Stop email notifications?",
          `<p>You will no longer receive email notifications from ${company}. Text messages and your in-app inbox are not affected.</p><form method="post" action="${escapeHtml(action)}"><button type="submit" style="padding:.6rem 1.2rem">Unsubscribe from email</button></form>`,
          escapeHtml(branding.primaryColor),
        ),
        200,
      );
    })
    .openapi(routes.unsubscribe, async (c) => {
      const recipientId = recipientOf(c.req.valid("query").token);
      if (!(await unsubscribeFromEmail(deps, recipientId))) throw notFound("Recipient", recipientId);
      const branding = await getBranding(deps);
      return c.html(
        document(
          "You are unsubscribed",
          `<p>${escapeHtml(branding.companyName)} will not send you email notifications any more. You can turn them back on in your <a href="${escapeHtml(preferencesUrl(deps.config, deps.tokenSecret, recipientId))}">notification preferences</a>.</p>`,
          escapeHtml(branding.primaryColor),
        ),
        200,
      );
    });
}
