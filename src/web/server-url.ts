/**
 * The `http://host[:port]` a UI redirect points at, as supervisord derives it (web.md, Actions):
 * from the Host header when the request has a non-blank one (Python's `splitport`: the digits
 * after the last `:`; a port of 80 is left out), else from the server's name and port. On a unix
 * socket supervisord's port is the socket's path: `http://<unix domain socket>:/run/s.sock`.
 */
export function serverUrl(host: string | undefined, serverName: string, serverPort: number | string | null): string {
  let hostname: string;
  let port: string | undefined;
  const header = host?.trim() ?? "";
  if (header !== "") {
    const match = /^(.*):([0-9]*)$/s.exec(header);
    hostname = match?.[1] ?? header;
    port = match?.[2] || undefined;
  } else {
    hostname = serverName.trim();
    port = serverPort === null ? undefined : String(serverPort);
  }
  const url = `http://${port === undefined || port === "80" ? hostname : `${hostname}:${port}`}`;
  return url.endsWith("/") ? url.slice(0, -1) : url;
}
