import { describe, expect, test } from "bun:test";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LAYOUT_DIR, loadEmailLayouts } from "../../../src/domain/templates/templates.layout.ts";
import { tempDir } from "../../helpers/test-app.ts";

function layoutDir(): string {
  const dir = join(tempDir(), "layouts");
  cpSync(LAYOUT_DIR, dir, { recursive: true });
  return dir;
}

describe("loadEmailLayouts", () => {
  test("the shipped layouts load", () => {
    const layouts = loadEmailLayouts();
    expect(layouts.html.length).toBeGreaterThan(0);
    expect(layouts.text.length).toBeGreaterThan(0);
  });

  test("a syntax error names the file, line and column", () => {
    const dir = layoutDir();
    writeFileSync(join(dir, "email.html.liquid"), "<html>\n{% if content %}\n</html>");
    expect(() => loadEmailLayouts(dir)).toThrow(
      /email\.html\.liquid is invalid: line 2, column 1: tag .* not closed/,
    );
  });

  test("a variable the layout is not given is refused when loading, not on every email", () => {
    const dir = layoutDir();
    writeFileSync(join(dir, "email.txt.liquid"), "{{ content }}\n{{ repair.id }}");
    expect(() => loadEmailLayouts(dir)).toThrow(
      /email\.txt\.liquid is invalid: line 2, column 4: 'repair\.id'/,
    );
  });

  test("layouts cannot include other files either", () => {
    const dir = layoutDir();
    writeFileSync(join(dir, "email.html.liquid"), "{% include 'email.txt.liquid' %}");
    expect(() => loadEmailLayouts(dir)).toThrow(/cannot read files/);
  });
});
