import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeCall,
  decodeResponse,
  encodeCall,
  encodeFault,
  encodeResponse,
  UnencodableValue,
  UnreadableCall,
  XmlRpcDouble,
  type PyValue,
  ResponseReader,
  type XmlRpcValue,
} from "../../src/protocol/codec";

function call(paramsXml: string, method = "m.x"): unknown[] {
  return decodeCall(`<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${paramsXml}</params></methodCall>`).params;
}

function param(valueXml: string): unknown {
  return call(`<param><value>${valueXml}</value></param>`)[0];
}

test("values decode with supervisord's rules, not the usual XML-RPC ones", () => {
  assert.equal(param("<boolean>1</boolean>"), true);
  assert.equal(param("<boolean>true</boolean>"), false, "only 1 is true");
  assert.equal(param("<int> 42 </int>"), 42);
  assert.equal(param("<i4>-7</i4>"), -7);
  assert.equal(param("<string></string>"), "");
  assert.equal(param("0"), "0", "an untyped value is the string, so a truthy '0'");
  assert.equal(param(""), "");
  assert.equal(param("<i8>5</i8>"), "5", "an unknown type is its text");
  assert.equal(param("<nil/>"), null);
  assert.deepEqual(param("<double>1.9</double>"), new XmlRpcDouble(1.9));
  assert.equal(param("<base64>aMOpbGxv</base64>"), "héllo");
  assert.equal(param("<string>a &lt;b&gt; &amp; c</string>"), "a <b> & c");
  assert.deepEqual(param("<array><data><value><int>1</int></value><value>x</value></data></array>"), [1, "x"]);
  const struct = param("<struct><member><name>b</name><value><int>1</int></value></member><member><name>a</name><value>y</value></member></struct>");
  assert.deepEqual(struct, new Map<string, unknown>([["b", 1], ["a", "y"]]));
});

test("a call without <params> has no parameters; the method name is required", () => {
  assert.deepEqual(decodeCall("<methodCall><methodName>supervisor.getState</methodName></methodCall>"), {
    methodName: "supervisor.getState",
    params: [],
  });
  const reasonOf = (body: string): string => {
    try {
      decodeCall(body);
    } catch (err) {
      if (err instanceof UnreadableCall) return err.reason;
      throw err;
    }
    return "accepted";
  };
  assert.equal(reasonOf("<methodCall><methodName></methodName></methodCall>"), "no method name");
  assert.equal(reasonOf("<methodCall><params/></methodCall>"), "no method name");
  assert.equal(reasonOf("hello"), "unmarshallable");
  assert.equal(reasonOf(""), "unmarshallable");
  assert.equal(reasonOf("<methodCall><methodName>x</methodName>"), "unmarshallable", "not closed");
  assert.equal(reasonOf("<methodCall><methodName>x</methodname></methodCall>"), "unmarshallable", "tags are case-sensitive");
  assert.equal(reasonOf("<methodCall><methodName>x</methodName><params><param><value><int>1.5</int></value></param></params></methodCall>"), "unmarshallable");
  assert.equal(reasonOf("<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>"), "unmarshallable");
  // Entities declared in a DTD are never expanded (no billion laughs).
  assert.equal(reasonOf('<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">]><methodCall><methodName>&a;</methodName></methodCall>'), "unmarshallable");
});

test("plain documents and unusual ones decode alike (the fast reader and sax)", () => {
  const name = (body: string): string => decodeCall(body).methodName;
  assert.equal(name("<methodCall><methodName>a&#x41;&#66;&amp;&lt;&gt;&quot;&apos;</methodName></methodCall>"), "aAB&<>\"'");
  assert.equal(name("<methodCall><!-- a comment --><methodName>x<![CDATA[<y>]]></methodName></methodCall>"), "x<y>");
  assert.equal(name("<?xml version='1.0'?>\n<methodCall >\n<methodName>m.x</methodName>\n<params/>\n</methodCall>\n"), "m.x");
  assert.deepEqual(call("<param><value><string>a\r\nb</string></value></param>"), call("<param><value><string>a\r\nb</string></value></param>"));
  for (const bad of [
    "<methodCall><methodName>x</methodName></methodCall><methodCall/>",
    "<methodCall><methodName>x</methodName></methodCall>junk",
    "<methodCall><methodName>a &bogus; b</methodName></methodCall>",
    "<methodCall><methodName>a & b</methodName></methodCall>",
    "<methodCall><methodName>x</methodName></methodcall>",
  ]) {
    assert.throws(() => decodeCall(bad), UnreadableCall, bad);
  }
});

test("deeply nested values decode without exhausting the stack", () => {
  const depth = 100_000;
  const xml = "<value><array><data>".repeat(depth) + "</data></array></value>".repeat(depth);
  const params = call(`<param>${xml}</param>`);
  let value = params[0];
  let levels = 0;
  while (Array.isArray(value) && value.length > 0) {
    value = value[0];
    levels += 1;
  }
  assert.equal(levels, depth - 1);
});

test("responses are written byte for byte as Python's xmlrpc.client writes them", () => {
  assert.equal(
    encodeResponse({ statecode: 1, statename: "RUNNING" }),
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>statecode</name>\n<value><int>1</int></value>\n</member>\n<member>\n<name>statename</name>\n<value><string>RUNNING</string></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n",
  );
  assert.equal(
    encodeResponse(["a <b> & c\n", 10, false, []]),
    "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><string>a &lt;b&gt; &amp; c\n</string></value>\n<value><int>10</int></value>\n<value><boolean>0</boolean></value>\n<value><array><data>\n</data></array></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n",
  );
  assert.equal(
    encodeFault(10, "BAD_NAME: nosuch"),
    "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>BAD_NAME: nosuch</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n",
  );
  assert.equal(encodeResponse("quote\" and 'apos' \r raw"), "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>quote\" and 'apos' \r raw</string></value>\n</param>\n</params>\n</methodResponse>\n");
  assert.throws(() => encodeResponse(2 ** 31), UnencodableValue);
  assert.doesNotThrow(() => encodeResponse(-(2 ** 31)));
});

test("a call and a response round-trip through the client side", () => {
  const body = encodeCall("supervisor.startProcess", ["web", false]);
  assert.deepEqual(decodeCall(body), { methodName: "supervisor.startProcess", params: ["web", false] });
  assert.deepEqual(decodeResponse(encodeResponse([1, "x"])), { value: [1, "x"] });
  assert.deepEqual(decodeResponse(encodeFault(70, "NOT_RUNNING: web")), { fault: { faultCode: 70, faultString: "NOT_RUNNING: web" } });
});

test("a reply written as Python writes it reads as the general reader reads the same value written otherwise", () => {
  const values: XmlRpcValue[] = [
    [],
    "",
    "plain",
    "a <b> & c\n",
    "carriage\rreturn",
    "é ☃ 𝄞",
    -7,
    true,
    new XmlRpcDouble(1.5),
    { name: "web", pid: 12, description: "pid 12, uptime 0:00:01", spawnerr: "", ok: false },
    [{ inner: [1, { deep: "x&y" }], empty: [], s: {} }, "tail"],
    { "a&b": 1, "": "empty key", "x<y": [true] },
  ];
  for (const value of values) {
    const dumped = encodeResponse(value);
    // Double quotes in the declaration: no longer Python's bytes, so the general reader decides.
    const general = dumped.replace("<?xml version='1.0'?>", '<?xml version="1.0"?>');
    assert.notEqual(general, dumped);
    assert.deepEqual(decodeResponse(dumped), decodeResponse(general), JSON.stringify(value));
  }
  // What the fast reader leaves alone is still read, or refused, by the general rules.
  const head = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n";
  const tail = "</param>\n</params>\n</methodResponse>\n";
  assert.deepEqual(decodeResponse(`${head}<value><int> 42 </int></value>\n${tail}`), { value: 42 });
  assert.deepEqual(decodeResponse(`${head}<value>untyped</value>\n${tail}`), { value: "untyped" });
  assert.deepEqual(decodeResponse(`${head}<value><string><![CDATA[<x>]]></string></value>\n${tail}`), { value: "<x>" });
  assert.throws(() => decodeResponse(`${head}<value><int>4x</int></value>\n${tail}`), UnreadableCall);
  assert.throws(() => decodeResponse(`${head}<value><string>a &bogus; b</string></value>\n${tail}`), UnreadableCall);
});

test("a deeply nested reply, as Python writes it, decodes without exhausting the stack", () => {
  const depth = 100_000;
  const xml = "<value><array><data>\n".repeat(depth) + "</data></array></value>\n".repeat(depth);
  const { value } = decodeResponse(`<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${xml}</param>\n</params>\n</methodResponse>\n`) as { value: PyValue };
  let levels = 0;
  for (let at = value; Array.isArray(at) && at.length > 0; at = at[0] as PyValue) levels += 1;
  assert.equal(levels, depth - 1);
});

test("a reply read chunk by chunk as it comes decodes as the whole body does, however it is cut", () => {
  const list = encodeResponse(
    Array.from({ length: 40 }, (_, n) =>
      Object.freeze({ name: `p${n}`, pid: n, description: n % 7 === 0 ? "é ☃ 𝄞 & <x>" : "pid 1, uptime 0:00:01", nested: [n, { deep: n % 2 === 0 }] }),
    ),
  );
  const head = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n";
  const tail = "</param>\n</params>\n</methodResponse>\n";
  const bodies = [
    list,
    encodeResponse("a plain string"),
    encodeFault(10, "BAD_NAME: x"),
    `${head}<value><array><data>\n<value><int> 4 </int></value>\n<value><string>after</string></value>\n</data></array></value>\n${tail}`,
    "<html>not XML-RPC</html>",
  ];
  for (const text of bodies) {
    const bytes = Buffer.from(text, "utf8");
    for (const size of [1, 3, 64, 1000, bytes.length]) {
      const reader = new ResponseReader();
      for (let at = 0; at < bytes.length; at += size) reader.feed(bytes.subarray(at, at + size));
      let whole: unknown;
      let read: unknown;
      try {
        whole = decodeResponse(text);
      } catch (err) {
        whole = err;
      }
      try {
        read = reader.result();
      } catch (err) {
        read = err;
      }
      assert.deepEqual(read, whole, `${text.slice(0, 80)} in chunks of ${size}`);
    }
  }
});
