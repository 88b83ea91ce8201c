import { test } from "node:test";
import assert from "node:assert/strict";
import { getopt, GetoptError } from "../../src/cli/getopt";

// Every expectation below was checked with /usr/bin/python3 (3.11): getopt.getopt(args, shortopts, longopts).

interface Spec {
  short: string;
  long: readonly string[];
}

/** supervisord 4.2.5's own option table. */
const SUPERVISORD: Spec = {
  short: "h?c:vnu:m:d:l:y:z:e:j:i:q:a:kts",
  long: [
    "help", "configuration=", "version", "nodaemon", "user=", "umask=", "directory=", "logfile=",
    "logfile_maxbytes=", "logfile_backups=", "loglevel=", "pidfile=", "identifier=", "childlogdir=",
    "minfds=", "minprocs=", "nocleanup", "strip_ansi", "profile_options=", "silent",
  ],
};

/** supervisorctl 4.2.5's own option table. */
const SUPERVISORCTL: Spec = {
  short: "h?c:is:u:p:r:",
  long: ["help", "configuration=", "interactive", "serverurl=", "username=", "password=", "history_file="],
};

/** `ab` takes a value and is also a prefix of two flags. */
const PREFIXES: Spec = { short: "ab:", long: ["ab=", "abc", "abd"] };
const ONE_LONG: Spec = { short: "", long: ["only"] };
/** A letter listed twice: the first mention decides. */
const REPEATED: Spec = { short: "a:a", long: [] };

type Parsed = readonly [options: Array<[string, string]>, args: string[]];

const PARSES: ReadonlyArray<readonly [string, Spec, readonly string[], Parsed]> = [
  ["no arguments", SUPERVISORD, [], [[], []]],
  ["a flag", SUPERVISORD, ["-n"], [[["-n", ""]], []]],
  ["a cluster ending in an option that takes the next argument", SUPERVISORD, ["-nc", "f.conf"], [[["-n", ""], ["-c", "f.conf"]], []]],
  ["a value glued to its letter", SUPERVISORD, ["-cf.conf"], [[["-c", "f.conf"]], []]],
  ["a value in the next argument", SUPERVISORD, ["-c", "f.conf"], [[["-c", "f.conf"]], []]],
  ["a cluster whose value is the rest of the cluster", SUPERVISORD, ["-nvc/x", "y"], [[["-n", ""], ["-v", ""], ["-c", "/x"]], ["y"]]],
  ["--long=value", SUPERVISORD, ["--configuration=f.conf", "-n"], [[["--configuration", "f.conf"], ["-n", ""]], []]],
  ["--long value", SUPERVISORD, ["--configuration", "f.conf"], [[["--configuration", "f.conf"]], []]],
  ["--long= gives an empty value", SUPERVISORD, ["--configuration="], [[["--configuration", ""]], []]],
  ["a long value is split at the first =", SUPERVISORD, ["--conf=a=b"], [[["--configuration", "a=b"]], []]],
  ["a unique prefix names the whole option", SUPERVISORD, ["--noda"], [[["--nodaemon", ""]], []]],
  ["several abbreviations", SUPERVISORD, ["--nod", "--sil"], [[["--nodaemon", ""], ["--silent", ""]], []]],
  ["an exact name wins over the longer names it prefixes", SUPERVISORD, ["--logfile", "x"], [[["--logfile", "x"]], []]],
  ["an abbreviated option with =value", SUPERVISORD, ["--logfile_m=5"], [[["--logfile_maxbytes", "5"]], []]],
  ["an abbreviated option taking the next argument", SUPERVISORD, ["--logfile_b", "3"], [[["--logfile_backups", "3"]], []]],
  ["-- ends the options and is dropped", SUPERVISORD, ["-n", "--", "-c", "x"], [[["-n", ""]], ["-c", "x"]]],
  ["only the first -- is dropped", SUPERVISORD, ["--", "--"], [[], ["--"]]],
  ["the first positional argument ends option processing", SUPERVISORD, ["-n", "arg", "-c", "x"], [[["-n", ""]], ["arg", "-c", "x"]]],
  ["a lone - is a positional argument", SUPERVISORD, ["-", "-n"], [[], ["-", "-n"]]],
  ["a lone - after options", SUPERVISORD, ["-n", "-", "-c"], [[["-n", ""]], ["-", "-c"]]],
  ["an empty argument is positional", SUPERVISORD, ["", "-n"], [[], ["", "-n"]]],
  ["the next argument is a value even if it looks like an option", SUPERVISORD, ["-c", "-n"], [[["-c", "-n"]], []]],
  ["-- can be a value", SUPERVISORD, ["-c", "--"], [[["-c", "--"]], []]],
  ["an empty next argument is a value", SUPERVISORD, ["-c", ""], [[["-c", ""]], []]],
  ["an empty value for a long option", SUPERVISORD, ["--configuration", ""], [[["--configuration", ""]], []]],
  ["a long option's value may look like an option", SUPERVISORD, ["--configuration", "--nodaemon"], [[["--configuration", "--nodaemon"]], []]],
  ["-? is a letter like any other", SUPERVISORD, ["-?"], [[["-?", ""]], []]],
  ["separate flags", SUPERVISORD, ["-h", "-v"], [[["-h", ""], ["-v", ""]], []]],
  ["a repeated option is reported twice", SUPERVISORD, ["-n", "-n"], [[["-n", ""], ["-n", ""]], []]],
  ["a glued value is taken by code point", SUPERVISORD, ["-c\u{1D11E}"], [[["-c", "\u{1D11E}"]], []]],
  ["supervisorctl: options stop at the command", SUPERVISORCTL, ["-c", "x", "status", "-h"], [[["-c", "x"]], ["status", "-h"]]],
  ["supervisorctl: flag, valued option, command", SUPERVISORCTL, ["-i", "-s", "http://h:1", "start", "all"], [[["-i", ""], ["-s", "http://h:1"]], ["start", "all"]]],
  ["supervisorctl: --s is --serverurl", SUPERVISORCTL, ["--s=unix:///x", "-uuser", "-p", "pw"], [[["--serverurl", "unix:///x"], ["-u", "user"], ["-p", "pw"]], []]],
  ["supervisorctl: --hi is --history_file", SUPERVISORCTL, ["--hi", "f"], [[["--history_file", "f"]], []]],
  ["supervisorctl: --he is --help", SUPERVISORCTL, ["--he"], [[["--help", ""]], []]],
  ["an exact valued name wins over the flags it prefixes", PREFIXES, ["--ab", "v"], [[["--ab", "v"]], []]],
  ["a short option's value is the next argument, dash or not", PREFIXES, ["-b", "-a"], [[["-b", "-a"]], []]],
  ["a lone -- with nothing after", ONE_LONG, ["--", "x"], [[], ["x"]]],
];

const ERRORS: ReadonlyArray<readonly [string, Spec, readonly string[], string, string]> = [
  ["an unknown letter", SUPERVISORD, ["-Z"], "option -Z not recognized", "Z"],
  ["an unknown letter inside a cluster", SUPERVISORD, ["-nZ"], "option -Z not recognized", "Z"],
  ["a missing short value", SUPERVISORD, ["-c"], "option -c requires argument", "c"],
  ["a missing short value after other options", SUPERVISORD, ["-n", "-c"], "option -c requires argument", "c"],
  ["a missing long value", SUPERVISORD, ["--loglevel"], "option --loglevel requires argument", "loglevel"],
  ["a value given to a long flag", SUPERVISORD, ["--nodaemon=1"], "option --nodaemon must not have an argument", "nodaemon"],
  ["a value given to an abbreviated flag names the full option", SUPERVISORD, ["--noda=1"], "option --nodaemon must not have an argument", "nodaemon"],
  ["an unknown long option", SUPERVISORD, ["--foo"], "option --foo not recognized", "foo"],
  ["an unknown long option with a value", SUPERVISORD, ["--foo=bar"], "option --foo not recognized", "foo"],
  ["an ambiguous prefix", SUPERVISORD, ["--n"], "option --n not a unique prefix", "n"],
  ["an ambiguous longer prefix", SUPERVISORD, ["--logfile_"], "option --logfile_ not a unique prefix", "logfile_"],
  [": is never an option letter", SUPERVISORD, ["-:"], "option -: not recognized", ":"],
  ["--- is the long option -", SUPERVISORD, ["---"], "option --- not recognized", "-"],
  ["---x is the long option -x", SUPERVISORD, ["---x"], "option ---x not recognized", "-x"],
  ["--= is an empty prefix of every long option", SUPERVISORD, ["--="], "option -- not a unique prefix", ""],
  ["--=x is an empty prefix too", SUPERVISORD, ["--=x"], "option -- not a unique prefix", ""],
  ["a - inside a cluster is an unknown letter", SUPERVISORD, ["-n-"], "option -- not recognized", "-"],
  ["a non-ASCII letter", SUPERVISORD, ["-é"], "option -é not recognized", "é"],
  ["supervisorctl: --h is ambiguous", SUPERVISORCTL, ["--h"], "option --h not a unique prefix", "h"],
  ["supervisorctl: --interactive takes no value", SUPERVISORCTL, ["--interactive=yes"], "option --interactive must not have an argument", "interactive"],
  ["supervisorctl: a missing -r value", SUPERVISORCTL, ["-r"], "option -r requires argument", "r"],
  ["supervisorctl: a missing --history_file value", SUPERVISORCTL, ["--history_file"], "option --history_file requires argument", "history_file"],
  ["a prefix of a valued option and two flags", PREFIXES, ["--a"], "option --a not a unique prefix", "a"],
  ["an exact flag name with a value", PREFIXES, ["--abc=1"], "option --abc must not have an argument", "abc"],
  ["--=1 with a single long option picks that option", ONE_LONG, ["--=1"], "option --only must not have an argument", "only"],
  ["the first mention of a repeated letter decides it takes a value", REPEATED, ["-a"], "option -a requires argument", "a"],
  ["a letter only in the value position is unknown", REPEATED, ["-b"], "option -b not recognized", "b"],
];

for (const [title, spec, args, [options, rest]] of PARSES) {
  test(`getopt parses ${title}: ${JSON.stringify(args)}`, () => {
    assert.deepEqual(getopt(args, spec.short, spec.long), { options, args: rest });
  });
}

for (const [title, spec, args, message, opt] of ERRORS) {
  test(`getopt rejects ${title}: ${JSON.stringify(args)} -> ${message}`, () => {
    assert.throws(() => getopt(args, spec.short, spec.long), (err: unknown) => {
      assert.ok(err instanceof GetoptError);
      assert.equal(err.name, "GetoptError");
      assert.equal(err.message, message);
      assert.equal(err.opt, opt);
      return true;
    });
  });
}

test("getopt leaves the caller's array alone", () => {
  const args = ["-n", "x"];
  getopt(args, SUPERVISORD.short, SUPERVISORD.long);
  assert.deepEqual(args, ["-n", "x"]);
});
