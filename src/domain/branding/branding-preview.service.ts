/**
 * A sample email in the current branding, for the console's branding page: a fixed sample notification rendered
 * by the notification renderer inside the branded layout file, so the preview is what a recipient would get.
 */
import type { Deps } from "../../deps.ts";
import { preferencesUrl } from "../recipient-tokens/recipient-links.ts";
import { renderNotification } from "../templates/templates.renderer.ts";
import { PREVIEW_RECIPIENT } from "../templates/templates.service.ts";
import type { TemplateRecord } from "../templates/templates.types.ts";
import { getBranding } from "./branding.service.ts";

/**
 * The sample notification. Its name cannot be a stored template's (those start with a letter or digit), so it
 * never meets one in the renderer's cache of parsed templates.
 */
const SAMPLE: TemplateRecord = {
  name: "(branding preview)",
  description: "",
  category: "preview",
  defaultPriority: "MEDIUM",
  title: "Your repair is booked",
  message: "Hello {{ recipient.name }}, a technician will visit on Tuesday between 9:00 and 11:00.",
  emailSubject: null,
  emailHtml: null,
  emailText: null,
  sms: null,
  requiredContext: [],
  active: true,
  version: 1,
  createdAt: 0,
  updatedAt: 0,
};

/** What the branding preview shows: the sender's name, the subject and the email's HTML. */
export interface BrandingPreview {
  fromName: string;
  subject: string;
  html: string;
}

/** The sample email as the current branding renders it (with an action button, so the accent colour shows). */
export async function previewBranding(
  deps: Pick<Deps, "db" | "caches" | "config" | "tokenSecret">,
): Promise<BrandingPreview> {
  const branding = await getBranding(deps);
  const rendered = await renderNotification(
    SAMPLE,
    {},
    {
      recipient: PREVIEW_RECIPIENT,
      branding,
      actionUrl: "https://example.com/jobs/R-1042",
      priority: SAMPLE.defaultPriority,
      category: SAMPLE.category,
      preferencesUrl: preferencesUrl(deps.config, deps.tokenSecret, PREVIEW_RECIPIENT.id),
    },
  );
  return { fromName: branding.fromName, subject: rendered.email.subject, html: rendered.email.html };
}
