import type { templates } from "../../../db/schema.ts";

/** A stored template row. */
export type TemplateRecord = typeof templates.$inferSelect;

/** Company branding used by the email layout and the From name. */
export interface Branding {
  companyName: string;
  logoUrl: string | null;
  primaryColor: string;
  accentColor: string;
  footerText: string;
  supportEmail: string | null;
  fromName: string;
}

/** SMS facts needed for cost control: encoding and segment count. */
export interface SmsInfo {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  characters: number;
}

/**
 * Everything a notification renders to. Every notification has an email and an SMS: a template without its
 * own email or SMS text falls back to the title and message.
 */
export interface RenderedNotification {
  title: string;
  message: string;
  email: { subject: string; html: string; text: string };
  sms: { text: string } & SmsInfo;
}

/**
 * The variables available to every template besides the caller's `context`:
 * `recipient` (name, kind, locale), `branding`, `actionUrl`, `priority`, `category`,
 * `preferencesUrl` (where the recipient manages notifications).
 */
export interface RenderGlobals {
  recipient: { id: string; name: string | null; kind: string; locale: string };
  branding: Branding;
  actionUrl: string | null;
  priority: string;
  category: string;
  preferencesUrl: string;
}

/** A template's editable fields: everything but its name, version and timestamps. */
export type TemplateFields = Pick<
  TemplateRecord,
  | "description"
  | "category"
  | "defaultPriority"
  | "title"
  | "message"
  | "emailSubject"
  | "emailHtml"
  | "emailText"
  | "sms"
  | "requiredContext"
  | "active"
>;

/** The fields that hold Liquid source. */
export type LiquidField = "title" | "message" | "emailSubject" | "emailHtml" | "emailText" | "sms";
