/**
 * The body of every error reply of supervisord's HTTP server (xmlrpc.md §2.5), e.g. for
 * `errorPage(301, "Moved Permanently")` the 142 bytes a UI redirect carries.
 */
export function errorPage(code: number, reason: string): string {
  return [
    "<head>",
    "<title>Error response</title>",
    "</head>",
    "<body>",
    "<h1>Error response</h1>",
    `<p>Error code ${code}.`,
    `<p>Message: ${reason}.`,
    "</body>",
    "",
  ].join("\r\n");
}
