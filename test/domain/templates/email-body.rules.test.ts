import { describe, expect, test } from "bun:test";
import { escapeHtml, htmlToText, textToHtml } from "../../../src/domain/templates/email-body.rules.ts";

describe("htmlToText", () => {
  test("keeps paragraphs, line breaks, list items and link targets; drops tags, styles and scripts", () => {
    const html =
      '<style>p{color:red}</style><p>Hello <b>Dana</b>,</p><p>Line one<br>line two</p><ul><li>First</li><li>Second</li></ul><p><a href="https://x.example/r?a=1&amp;b=2">Open it</a></p><script>alert(1)</script>';
    expect(htmlToText(html)).toBe(
      "Hello Dana,\n\nLine one\nline two\n\n- First\n\n- Second\n\nOpen it (https://x.example/r?a=1&b=2)",
    );
  });

  test("decodes entities", () => {
    expect(htmlToText("<p>Sink &amp; &lt;tap&gt; &#34;x&#34; &#39;y&#39; &#x263A; &nbsp;z &bogus;</p>")).toBe(
      "Sink & <tap> \"x\" 'y' ☺ z &bogus;",
    );
  });
});

describe("textToHtml", () => {
  test("escapes and keeps paragraphs and line breaks", () => {
    expect(textToHtml("Hi <Dana> & co\nsecond line\n\nNew paragraph")).toBe(
      "<p>Hi &lt;Dana&gt; &amp; co<br>second line</p>\n<p>New paragraph</p>",
    );
  });

  test("escapeHtml escapes the five special characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
