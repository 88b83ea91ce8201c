import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { UI_STATIC_DIR } from "../../src/web/ui-static-dir";

test("the static UI files are found from the compiled code: the stylesheet and every image the pages use", () => {
  const css = readFileSync(join(UI_STATIC_DIR, "stylesheets/supervisor.css"), "utf8");
  for (const [, url = ""] of css.matchAll(/url\(([^)]+)\)/g)) {
    assert.ok(existsSync(resolve(UI_STATIC_DIR, "stylesheets", url)), `the stylesheet uses ${url}`);
  }
  for (const name of ["supervisor.gif", "rule.gif", "state0.gif", "state1.gif", "state2.gif", "state3.gif"]) {
    const gif = readFileSync(join(UI_STATIC_DIR, "images", name));
    assert.equal(gif.subarray(0, 6).toString("latin1"), "GIF89a", name);
    assert.equal(gif.at(-1), 0x3b, `${name} ends with the GIF trailer`);
  }
  const png = readFileSync(join(UI_STATIC_DIR, "images/icon.png"));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});
