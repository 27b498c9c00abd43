/**
 * The recipient's preference page, server-rendered with hono/jsx (every interpolated value is escaped by JSX).
 * No script: it is a plain form that works in any mail client's browser, readable from a 320 px phone up.
 */
import type { PreferencePage } from "../../domain/preferences/preference-page.service.ts";

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f7f9;line-height:1.45}
main{max-width:36rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.5rem;margin:.5rem 0 .25rem}
p.lead{margin:0 0 1rem;color:#57606a}
fieldset{background:#fff;border:1px solid #d0d7de;border-radius:.5rem;margin:0 0 1rem;padding:.75rem 1rem 1rem}
legend{font-weight:600;padding:0 .25rem}
label{display:flex;gap:.6rem;align-items:center;min-height:2.75rem}
input[type=checkbox]{width:1.25rem;height:1.25rem;flex:none}
input[type=time],select{font:inherit;padding:.45rem;border:1px solid #8c959f;border-radius:.35rem;min-height:2.75rem}
.hint{color:#57606a;font-size:.9rem;margin:.25rem 0 0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.35rem .25rem;border-top:1px solid #eaeef2}
thead th{border-top:none;font-size:.85rem;color:#57606a;font-weight:600}
td.c,th.c{text-align:center;width:4.5rem}
td.c input{margin:auto}
.times{display:flex;gap:.75rem;flex-wrap:wrap}
.times label{flex-direction:column;align-items:flex-start;gap:.2rem}
button{font:inherit;font-weight:600;color:#fff;border:0;border-radius:.5rem;padding:.8rem 1.4rem;min-height:2.75rem;width:100%;cursor:pointer}
.notice{border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.saved{background:#dafbe1;border:1px solid #4ac26b}
.error{background:#ffebe9;border:1px solid #ff8182}
footer{margin-top:1.5rem;font-size:.9rem}
@media (min-width:40rem){button{width:auto}}
`;

/** What the page says above the form: nothing, "saved", or what was wrong with the last submission. */
export type Notice = { kind: "saved" } | { kind: "error"; message: string } | null;

const hours = Array.from({ length: 24 }, (_, h) => h);
const hourLabel = (h: number) => `${String(h).padStart(2, "0")}:00`;

/** One topic × channel checkbox, labelled for screen readers ("repair by email"). */
function TopicBox(props: { name: string; topic: string; checked: boolean; label: string }) {
  return (
    <td class="c">
      <input
        type="checkbox"
        name={props.name}
        value={props.topic}
        checked={props.checked}
        aria-label={`${props.topic} ${props.label}`}
      />
    </td>
  );
}

export function PreferencePageView(props: {
  page: PreferencePage;
  /** The form's target and the unsubscribe link, both carrying the recipient's signed tokens. */
  action: string;
  unsubscribeHref: string;
  notice: Notice;
}) {
  const { page, notice } = props;
  const p = page.preferences;
  const optedOut = (channel: "email" | "sms", topic: string) => p.categoryOptOuts[channel].includes(topic);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>Notification preferences · {page.companyName}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <main>
          <h1 style={`color:${page.primaryColor}`}>Notification preferences</h1>
          <p class="lead">
            {page.recipient.name ? `${page.recipient.name}, choose` : "Choose"} how {page.companyName} reaches
            you. Your in-app inbox always keeps every notification.
          </p>
          {notice?.kind === "saved" && (
            <p class="notice saved" role="status">
              Your preferences are saved.
            </p>
          )}
          {notice?.kind === "error" && (
            <p class="notice error" role="alert">
              Not saved: {notice.message}
            </p>
          )}
          <form method="post" action={props.action}>
            <fieldset>
              <legend>Channels</legend>
              <label>
                <input type="checkbox" name="emailEnabled" checked={p.emailEnabled} />
                Email
              </label>
              {!page.recipient.hasEmail && <p class="hint">We have no email address for you yet.</p>}
              <label>
                <input type="checkbox" name="smsEnabled" checked={p.smsEnabled} />
                Text messages (SMS)
              </label>
              {!page.recipient.hasPhone && <p class="hint">We have no mobile number for you yet.</p>}
            </fieldset>

            {page.topics.length > 0 && (
              <fieldset>
                <legend>Topics</legend>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Topic</th>
                      <th scope="col" class="c">
                        Email
                      </th>
                      <th scope="col" class="c">
                        SMS
                      </th>
                      <th scope="col" class="c">
                        Digest
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.topics.map((topic) => (
                      <tr>
                        <th scope="row">
                          {topic}
                          <input type="hidden" name="shown" value={topic} />
                        </th>
                        <TopicBox
                          name="email"
                          topic={topic}
                          checked={!optedOut("email", topic)}
                          label="by email"
                        />
                        <TopicBox name="sms" topic={topic} checked={!optedOut("sms", topic)} label="by SMS" />
                        <TopicBox
                          name="digest"
                          topic={topic}
                          checked={p.digestCategories.includes(topic)}
                          label="in the daily digest email"
                        />
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p class="hint">
                  Digest: these topics' emails come together once a day instead of one by one. Urgent
                  notifications always come at once.
                </p>
              </fieldset>
            )}

            <fieldset>
              <legend>Quiet hours</legend>
              <label>
                <input type="checkbox" name="quietHoursEnabled" checked={p.quietHours.enabled} />
                Hold email and SMS during quiet hours
              </label>
              <div class="times">
                <label>
                  From
                  <input type="time" name="quietStart" value={p.quietHours.start} required />
                </label>
                <label>
                  Until
                  <input type="time" name="quietEnd" value={p.quietHours.end} required />
                </label>
              </div>
              <p class="hint">
                In your time zone ({page.recipient.timezone}). Held messages arrive when quiet hours end;
                urgent ones come through.
              </p>
            </fieldset>

            <fieldset>
              <legend>Daily digest</legend>
              <label>
                Send it at
                <select name="digestHour">
                  {hours.map((h) => (
                    <option value={String(h)} selected={h === p.digestHour}>
                      {hourLabel(h)}
                    </option>
                  ))}
                </select>
              </label>
            </fieldset>

            <button type="submit" style={`background:${page.primaryColor}`}>
              Save preferences
            </button>
          </form>
          <footer>
            <a href={props.unsubscribeHref}>Unsubscribe from all email</a>
          </footer>
        </main>
      </body>
    </html>
  );
}
