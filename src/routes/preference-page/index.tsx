import type { Deps } from "../../deps.ts";
import { preferencePage, savePreferencePage } from "../../domain/preferences/preference-page.service.ts";
import { type PreferenceForm, preferencesFromForm } from "../../domain/preferences/preferences.rules.ts";
import { linkToken, verifyLinkToken } from "../../domain/recipient-tokens/recipient-links.ts";
import { AppError } from "../../errors.ts";
import { createRouter } from "../../http/router.ts";
import * as routes from "./preference-page.routes.ts";
import { type Notice, PreferencePageView } from "./preference-page.view.tsx";

/**
 * `/preferences`: the page every email's "Manage your notification preferences" link opens. Outside /v1 and
 * without an API key or cookie: the signed token in the URL is the proof, so a cross-site form post cannot
 * forge a change (it would need the token) and there is no session to ride on.
 */
export function preferencePageRoutes(deps: Deps) {
  const recipientOf = (token: string) => {
    const recipientId = verifyLinkToken(deps.tokenSecret, "preferences", token);
    if (!recipientId) throw new AppError("forbidden", "This preferences link is not valid");
    return recipientId;
  };
  const render = async (token: string, recipientId: string, notice: Notice, unsaved?: PreferenceForm) => {
    const page = await preferencePage(deps, recipientId);
    // After a refused save the page shows what the recipient chose, not what is stored, so nothing is lost.
    const shown = unsaved ? { ...page, preferences: preferencesFromForm(page.preferences, unsaved) } : page;
    return (
      <PreferencePageView
        page={shown}
        action={`/preferences?token=${encodeURIComponent(token)}`}
        unsubscribeHref={`/unsubscribe?token=${encodeURIComponent(linkToken(deps.tokenSecret, "unsubscribe", recipientId))}`}
        notice={notice}
      />
    );
  };
  return createRouter()
    .openapi(routes.page, async (c) => {
      const { token, saved } = c.req.valid("query");
      const recipientId = recipientOf(token);
      return c.html(await render(token, recipientId, saved ? { kind: "saved" } : null), 200);
    })
    .openapi(routes.save, async (c) => {
      const { token } = c.req.valid("query");
      const recipientId = recipientOf(token);
      const body = c.req.valid("form");
      const form: PreferenceForm = {
        emailEnabled: body.emailEnabled === "on",
        smsEnabled: body.smsEnabled === "on",
        shown: body.shown,
        email: body.email,
        sms: body.sms,
        digest: body.digest,
        quietHours: { enabled: body.quietHoursEnabled === "on", start: body.quietStart, end: body.quietEnd },
        digestHour: body.digestHour,
      };
      try {
        await savePreferencePage(deps, recipientId, form);
      } catch (error) {
        // A choice the form allows but the rules refuse: show the page again with what was wrong.
        if (!(error instanceof AppError) || error.code !== "validation-failed") throw error;
        return c.html(await render(token, recipientId, { kind: "error", message: error.message }, form), 400);
      }
      return c.redirect(`/preferences?token=${encodeURIComponent(token)}&saved=1`, 303);
    });
}
