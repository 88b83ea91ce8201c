import { request } from "node:http";
import { decodeResponse, encodeCall, type PyValue, type XmlRpcValue } from "../../src/protocol/codec";

/** A decoded value with structs as plain objects, for deepEqual. */
export type Plain = number | boolean | string | null | Plain[] | { [key: string]: Plain } | object;

export function plain(value: PyValue): Plain {
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  return value;
}

/** What one call got: its value, its fault, or the HTTP status when it was not 200. */
export type RpcOutcome = { value: Plain } | { fault: { faultCode: number; faultString: string } } | { status: number };

/** POST a raw body to /RPC2 on a unix socket; resolves with the status and the body. */
export function postRaw(socketPath: string, body: string, path = "/RPC2"): Promise<{ status: number; body: string; headers: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "POST", headers: { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.rawHeaders }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Call a method over the daemon's unix socket as any XML-RPC client would. */
export async function rpc(socketPath: string, method: string, ...params: XmlRpcValue[]): Promise<RpcOutcome> {
  const reply = await postRaw(socketPath, encodeCall(method, params));
  if (reply.status !== 200) return { status: reply.status };
  const result = decodeResponse(reply.body);
  return "fault" in result ? result : { value: plain(result.value) };
}
