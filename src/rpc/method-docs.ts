/**
 * Each method's documentation as system.methodHelp returns it, in the shape supervisord's
 * docstrings have (a summary after one space, tag lines indented by 8 spaces, `@param TYPE NAME
 * text` and `@return TYPE NAME text`), so that system.methodSignature, which reads the types
 * from the tags, answers exactly as supervisord's does. The prose is ours.
 */
interface Doc {
  summary: string;
  params?: readonly (readonly [type: string, name: string, text: string])[];
  returns: readonly [type: string, name: string, text: string];
}

const NAME = ["string", "name", "The process name (or 'group:name', or 'group:*')"] as const;
const WAIT = ["boolean", "wait", "Wait until the change is complete"] as const;
const OFFSET = ["int", "offset", "Offset to start reading from"] as const;
const LENGTH = ["int", "length", "Number of bytes to read"] as const;
const RESULTS = ["array", "result", "An array of process status structs"] as const;
const OK = ["boolean", "result", "Always true unless an error is raised"] as const;

const DOCS: Readonly<Record<string, Doc>> = {
  "supervisor.getAPIVersion": { summary: "Return the version of the RPC API used by supervisord", returns: ["string", "version", "version id"] },
  "supervisor.getSupervisorVersion": { summary: "Return the version of the supervisor package in use by supervisord", returns: ["string", "version", "version id"] },
  "supervisor.getIdentification": { summary: "Return the identifying string of this supervisord", returns: ["string", "identifier", "identifying string"] },
  "supervisor.getState": { summary: "Return the current state of supervisord as a struct", returns: ["struct", "result", "A struct with keys int statecode, string statename"] },
  "supervisor.getPID": { summary: "Return the PID of supervisord", returns: ["int", "PID", "The PID of the daemon"] },
  "supervisor.readLog": { summary: "Read length bytes from the main log starting at offset", params: [OFFSET, LENGTH], returns: ["string", "result", "Bytes of the log"] },
  "supervisor.clearLog": { summary: "Clear the main log.", returns: OK },
  "supervisor.shutdown": { summary: "Shut down the supervisor process", returns: OK },
  "supervisor.restart": { summary: "Restart the supervisor process", returns: OK },
  "supervisor.reloadConfig": {
    summary: "Read the configuration file again and report what differs from the running groups",
    returns: ["array", "result", "[[added, changed, removed]], three arrays of group names"],
  },
  "supervisor.addProcessGroup": { summary: "Update the config of a running process group from the config file", params: [["string", "name", "Name of the process group to add"]], returns: ["boolean", "result", "true if successful"] },
  "supervisor.removeProcessGroup": { summary: "Remove a stopped process group from the active configuration", params: [["string", "name", "Name of the group to remove"]], returns: ["boolean", "result", "Indicates whether the removal was successful"] },
  "supervisor.startProcess": { summary: "Start a process", params: [NAME, WAIT], returns: OK },
  "supervisor.startProcessGroup": { summary: "Start all processes in the group named 'name'", params: [["string", "name", "The group name"], WAIT], returns: RESULTS },
  "supervisor.startAllProcesses": { summary: "Start all processes listed in the configuration file", params: [WAIT], returns: RESULTS },
  "supervisor.stopProcess": { summary: "Stop a process named by name", params: [NAME, WAIT], returns: OK },
  "supervisor.stopProcessGroup": { summary: "Stop all processes in the process group named 'name'", params: [["string", "name", "The group name"], WAIT], returns: RESULTS },
  "supervisor.stopAllProcesses": { summary: "Stop all processes in the process list", params: [WAIT], returns: RESULTS },
  "supervisor.signalProcess": { summary: "Send an arbitrary UNIX signal to the process named by name", params: [NAME, ["string", "signal", "Signal to send, as name ('HUP') or number ('1')"]], returns: OK },
  "supervisor.signalProcessGroup": { summary: "Send a signal to all processes in the group named 'name'", params: [["string", "name", "The group name"], ["string", "signal", "Signal to send, as name ('HUP') or number ('1')"]], returns: RESULTS },
  "supervisor.signalAllProcesses": { summary: "Send a signal to all processes in the process list", params: [["string", "signal", "Signal to send, as name ('HUP') or number ('1')"]], returns: RESULTS },
  "supervisor.getAllConfigInfo": { summary: "Get info about all available process configurations. Each struct represents a single process (i.e. groups get flattened).", returns: ["array", "result", "An array of process config info structs"] },
  "supervisor.getProcessInfo": { summary: "Get info about a process named name", params: [["string", "name", "The name of the process (or 'group:name')"]], returns: ["struct", "result", "A structure containing data about the process"] },
  "supervisor.getAllProcessInfo": { summary: "Get info about all processes", returns: ["array", "result", "An array of process status results"] },
  "supervisor.readProcessStdoutLog": { summary: "Read length bytes from name's stdout log starting at offset", params: [["string", "name", "the name of the process (or 'group:name')"], OFFSET, LENGTH], returns: ["string", "result", "Bytes of the log"] },
  "supervisor.readProcessStderrLog": { summary: "Read length bytes from name's stderr log starting at offset", params: [["string", "name", "the name of the process (or 'group:name')"], OFFSET, LENGTH], returns: ["string", "result", "Bytes of the log"] },
  "supervisor.tailProcessStdoutLog": {
    summary: "Tail the stdout log of a process: the last length bytes once it has grown past offset, the new offset, and whether bytes were skipped",
    params: [["string", "name", "the name of the process (or 'group:name')"], OFFSET, LENGTH],
    returns: ["array", "result", "[string bytes, int offset, bool overflow]"],
  },
  "supervisor.tailProcessStderrLog": {
    summary: "Tail the stderr log of a process: the last length bytes once it has grown past offset, the new offset, and whether bytes were skipped",
    params: [["string", "name", "the name of the process (or 'group:name')"], OFFSET, LENGTH],
    returns: ["array", "result", "[string bytes, int offset, bool overflow]"],
  },
  "supervisor.clearProcessLogs": { summary: "Clear the stdout and stderr logs for the named process and reopen them.", params: [["string", "name", "The name of the process (or 'group:name')"]], returns: OK },
  "supervisor.clearAllProcessLogs": { summary: "Clear all process log files", returns: RESULTS },
  "supervisor.sendProcessStdin": { summary: "Send a string of chars to the stdin of the process name.", params: [["string", "name", "The process name to send to (or 'group:name')"], ["string", "chars", "The character data to send to the process"]], returns: OK },
  "supervisor.sendRemoteCommEvent": { summary: "Send an event that will be received by event listener subprocesses subscribing to the RemoteCommunicationEvent.", params: [["string", "type", "String for the \"type\" key in the event header"], ["string", "data", "Data for the event body"]], returns: OK },
  "system.listMethods": { summary: "Return an array listing the available method names", returns: ["array", "result", "An array of method names available (strings)."] },
  "system.methodHelp": { summary: "Return a string showing the method's documentation", params: [["string", "name", "The name of the method."]], returns: ["string", "result", "The documentation for the method name."] },
  "system.methodSignature": { summary: "Return an array describing the method signature in the form [rtype, ptype, ptype...]", params: [["string", "name", "The name of the method."]], returns: ["array", "result", "The result."] },
  "system.multicall": { summary: "Process an array of calls, and return an array of results, one per call", params: [["array", "calls", "An array of call requests"]], returns: ["array", "result", "An array of results"] },
};

const OPENS_ON_NEW_LINE = new Set(["supervisor.reloadConfig", "supervisor.tailProcessStdoutLog", "supervisor.tailProcessStderrLog"]);
const ENDS_WITH_BLANK_LINE = new Set(["supervisor.reloadConfig", "supervisor.startProcess"]);

/** The help text of a method (its canonical name, not an alias). */
export function methodHelpText(name: string): string | undefined {
  const doc = DOCS[name];
  if (doc === undefined) return undefined;
  const indent = "        ";
  const tags = [...(doc.params ?? []).map(([type, param, text]) => `@param ${type} ${param} ${text}`), `@return ${doc.returns.join(" ")}`];
  // The shapes of supervisord's docstrings: most open with a space, a few on a new line.
  const lead = name === "system.multicall" ? "" : OPENS_ON_NEW_LINE.has(name) ? `\n${indent}` : " ";
  const end = ENDS_WITH_BLANK_LINE.has(name) ? `\n\n${indent}` : `\n${indent}`;
  return `${lead}${doc.summary}\n\n${tags.map((tag) => indent + tag).join("\n")}${end}`;
}

/** [return type, parameter types...], read from the tags as supervisord reads its docstrings. */
export function methodSignature(name: string): string[] | undefined {
  const doc = DOCS[name];
  if (doc === undefined) return undefined;
  return [doc.returns[0], ...(doc.params ?? []).map(([type]) => type)];
}
