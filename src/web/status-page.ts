import { ProcessStates, type ProcessStateName } from "../states";
import { escapeHtml } from "./escape-html";
import type { RpcCall } from "./rpc-call";
import { urlQuote } from "./url-quote";

/** What the status page shows of one process (from its info struct, xmlrpc.md §9.2). */
export interface ProcessRow {
  group: string;
  name: string;
  statename: ProcessStateName;
  description: string;
}

function field(info: Record<string, unknown>, key: string): string {
  const value = info[key];
  if (typeof value !== "string") throw new Error(`process info without a string '${key}': ${JSON.stringify(info)}`);
  return value;
}

function isStateName(name: string): name is ProcessStateName {
  return Object.hasOwn(ProcessStates, name);
}

function toRow(info: unknown): ProcessRow {
  if (typeof info !== "object" || info === null) throw new Error(`process info is not a struct: ${JSON.stringify(info)}`);
  const struct = info as Record<string, unknown>;
  const statename = field(struct, "statename");
  if (!isStateName(statename)) throw new Error(`process info with an unknown state '${statename}'`);
  return { group: field(struct, "group"), name: field(struct, "name"), statename, description: field(struct, "description") };
}

/** Python's string order: by code point (JS's `<` compares UTF-16 units, astral characters differ). */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const diff = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
  return x.length - y.length;
}

/** Every process, sorted by (group name, process name) as supervisord's status page lists them. */
export async function readProcessRows(call: RpcCall): Promise<ProcessRow[]> {
  const infos = await call("supervisor.getAllProcessInfo", []);
  if (!Array.isArray(infos)) throw new Error(`getAllProcessInfo answered ${JSON.stringify(infos)}`);
  return infos.map(toRow).sort((a, b) => compareCodePoints(a.group, b.group) || compareCodePoints(a.name, b.name));
}

/** `group:name`, or `name` alone when the group is named after it (xmlrpc.md §7). */
function namespecOf(row: Pick<ProcessRow, "group" | "name">): string {
  return row.group === row.name ? row.name : `${row.group}:${row.name}`;
}

function stateClass(statename: ProcessStateName): string {
  if (statename === "RUNNING") return "statusrunning";
  if (statename === "FATAL" || statename === "BACKOFF") return "statuserror";
  return "statusnominal";
}

interface ActionLink {
  label: string;
  href: string;
  blank: boolean;
}

/** The five action slots of a row; undefined is a slot left hidden (web.md, Status page). */
function actionsFor(row: ProcessRow): Array<ActionLink | undefined> {
  const quoted = urlQuote(namespecOf(row));
  const act = (label: string, action: string): ActionLink => ({ label, href: `index.html?processname=${quoted}&action=${action}`, blank: false });
  const logs: ActionLink[] = [
    act("Clear Log", "clearlog"),
    { label: "Tail -f Stdout", href: `logtail/${quoted}`, blank: true },
    { label: "Tail -f Stderr", href: `logtail/${quoted}/stderr`, blank: true },
  ];
  switch (row.statename) {
    case "RUNNING":
      return [act("Restart", "restart"), act("Stop", "stop"), ...logs];
    case "STOPPED":
    case "EXITED":
    case "FATAL":
      return [act("Start", "start"), undefined, ...logs];
    default:
      return [undefined, undefined, ...logs];
  }
}

function actionItem(link: ActionLink | undefined): string {
  const anchor =
    link === undefined
      ? `<a class="hidden" href="#" name="#">Action</a>`
      : `<a href="${escapeHtml(link.href)}" name="${link.label}"${link.blank ? ` target="_blank"` : ""}>${link.label}</a>`;
  return `          <li>${anchor}</li>\n`;
}

function rowHtml(row: ProcessRow, shaded: boolean): string {
  const namespec = namespecOf(row);
  return (
    `      <tr class="${shaded ? "shade" : ""}">\n` +
    `        <td class="status"><span class="${stateClass(row.statename)}">${row.statename.toLowerCase()}</span></td>\n` +
    `        <td><span>${escapeHtml(row.description)}</span></td>\n` +
    `        <td><a href="tail.html?processname=${escapeHtml(urlQuote(namespec))}" target="_blank">${escapeHtml(namespec)}</a></td>\n` +
    `        <td class="action">\n          <ul>\n${actionsFor(row).map(actionItem).join("")}          </ul>\n        </td>\n` +
    `      </tr>\n`
  );
}

function tableHtml(rows: readonly ProcessRow[]): string {
  if (rows.length === 0) return "No programs to manage\n";
  return `<table cellspacing="0">
    <thead>
      <tr>
        <th class="state">State</th>
        <th class="desc">Description</th>
        <th class="name">Name</th>
        <th class="action">Action</th>
      </tr>
    </thead>
    <tbody>
${rows.map((row, i) => rowHtml(row, i % 2 === 1)).join("")}    </tbody>
  </table>
`;
}

export interface StatusPage {
  rows: readonly ProcessRow[];
  /** The `message` field, shown above the buttons. */
  message: string | undefined;
  version: string;
  year: number;
}

/** The status page (web.md, Status page): our own markup, supervisord's structure, classes and texts. */
export function statusPageHtml({ rows, message, version, year }: StatusPage): string {
  const status = message === undefined ? `<div class="hidden">#</div>` : `<div class="status_msg">${escapeHtml(message)}</div>`;
  return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>Supervisor Status</title>
<link rel="stylesheet" type="text/css" href="stylesheets/supervisor.css" />
<link rel="icon" type="image/png" href="images/icon.png" />
</head>
<body>
<div id="wrapper">
<div id="header"><img src="images/supervisor.gif" alt="Supervisor status" /></div>
<div id="content">
${status}
<form action="index.html" method="post">
  <ul id="buttons" class="clr">
    <li class="action-button"><a href="index.html?action=refresh">Refresh</a></li>
    <li class="action-button"><a href="index.html?action=restartall">Restart All</a></li>
    <li class="action-button"><a href="index.html?action=stopall">Stop All</a></li>
  </ul>
  ${tableHtml(rows)}</form>
</div>
<div class="push"></div>
</div>
<div id="footer" class="clr">
  <div class="left"><a href="http://supervisord.org">Supervisor</a> <span>${escapeHtml(version)}</span></div>
  <div class="right">&copy; 2006-<span>${year}</span> <strong><a href="http://agendaless.com/">Agendaless Consulting and Contributors</a></strong></div>
</div>
</body>
</html>
`;
}
