#!/usr/bin/env node
// Writes the UI's images (ui/images/): our own small drawings, as GIF and PNG files made by hand
// here so that nothing is taken from supervisord. Run it after changing a drawing; its output is
// committed.
"use strict";
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { crc32, deflateSync } = require("node:zlib");

const OUT = join(__dirname, "..", "ui", "images");

/** A GIF89a of palette indexes. Every code is a literal (no compression): a clear code comes
 *  often enough that the code width never grows, which keeps the encoder trivial. */
function gif(width, height, palette, pixels) {
  let bits = 2;
  while (1 << bits < palette.length) bits++;
  const colors = [...palette];
  while (colors.length < 1 << bits) colors.push([0, 0, 0]);
  const clear = 1 << bits;
  const codeWidth = bits + 1;
  const data = [];
  let acc = 0;
  let accBits = 0;
  const put = (code) => {
    acc |= code << accBits;
    accBits += codeWidth;
    while (accBits >= 8) {
      data.push(acc & 0xff);
      acc >>= 8;
      accBits -= 8;
    }
  };
  put(clear);
  let run = 0;
  for (const p of pixels) {
    if (run === clear - 2) {
      put(clear);
      run = 0;
    }
    put(p);
    run++;
  }
  put(clear + 1);
  if (accBits > 0) data.push(acc & 0xff);
  const blocks = [];
  for (let i = 0; i < data.length; i += 255) {
    const chunk = data.slice(i, i + 255);
    blocks.push(chunk.length, ...chunk);
  }
  const le16 = (n) => [n & 0xff, n >> 8];
  return Buffer.from([
    ...Buffer.from("GIF89a"),
    ...le16(width), ...le16(height), 0xf0 | (bits - 1), 0, 0,
    ...colors.flat(),
    0x2c, 0, 0, 0, 0, ...le16(width), ...le16(height), 0,
    bits, ...blocks, 0,
    0x3b,
  ]);
}

/** An RGBA PNG; `rgba(x, y)` gives each pixel. */
function png(width, height, rgba) {
  const raw = [];
  for (let y = 0; y < height; y++) {
    raw.push(0);
    for (let x = 0; x < width; x++) raw.push(...rgba(x, y));
  }
  const chunk = (type, body) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type), body]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.from(raw))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Pixels of a w×h picture from a function of (x, y) to a palette index. */
function draw(width, height, at) {
  const pixels = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.push(at(x, y));
  return pixels;
}

/** A pill with rounded corners: 0 outside, 1 border, 2 inside. */
function pill(width, height) {
  const r = height / 2;
  return draw(width, height, (x, y) => {
    const cx = Math.min(Math.max(x + 0.5, r), width - r);
    const d = Math.hypot(x + 0.5 - cx, y + 0.5 - r);
    return d > r ? 0 : d > r - 1.2 ? 1 : 2;
  });
}

const BACKGROUND = [255, 255, 255];
const HEADER = [38, 70, 102];
const STATES = [
  [[128, 128, 128], [176, 176, 176]], // state0: nominal
  [[176, 128, 0], [236, 184, 40]], // state1: in between
  [[40, 120, 40], [84, 170, 84]], // state2: running
  [[160, 32, 32], [214, 72, 72]], // state3: error
];
STATES.forEach(([border, inside], i) => {
  writeFileSync(join(OUT, `state${i}.gif`), gif(61, 18, [BACKGROUND, border, inside], pill(61, 18)));
});

writeFileSync(join(OUT, "rule.gif"), gif(65, 2, [[200, 208, 216], [150, 164, 178]], draw(65, 2, (_x, y) => y)));

// "SUPERVISOR" in a 5×7 font, each dot 3×3 pixels, light on the header's colour.
const FONT = {
  S: [".###.", "#...#", "#....", ".###.", "....#", "#...#", ".###."],
  U: ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
  P: ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
  E: ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
  R: ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
  V: ["#...#", "#...#", "#...#", ".#.#.", ".#.#.", "..#..", "..#.."],
  I: [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
  O: [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
};
const WORD = "SUPERVISOR";
const DOT = 3;
const PAD = 6;
const logoWidth = (WORD.length * 6 - 1) * DOT + 2 * PAD;
const logoHeight = 7 * DOT + 2 * PAD;
const logo = draw(logoWidth, logoHeight, (x, y) => {
  const gx = Math.floor((x - PAD) / DOT);
  const gy = Math.floor((y - PAD) / DOT);
  if (x < PAD || y < PAD || gy > 6 || gx < 0) return 0;
  const row = FONT[WORD[Math.floor(gx / 6)]]?.[gy];
  return row?.[gx % 6] === "#" ? 1 : 0;
});
writeFileSync(join(OUT, "supervisor.gif"), gif(logoWidth, logoHeight, [HEADER, [236, 242, 248]], logo));

// The icon: a green dot (a running process) on a transparent square.
writeFileSync(
  join(OUT, "icon.png"),
  png(16, 16, (x, y) => {
    const d = Math.hypot(x + 0.5 - 8, y + 0.5 - 8);
    if (d > 7.5) return [0, 0, 0, 0];
    return d > 6 ? [40, 120, 40, 255] : [84, 170, 84, 255];
  }),
);
