/** pidproxy: not built yet. TODO(#3): the real thing. */
export function main(): void {
  process.stderr.write("pidproxy: not available yet in supervisord-ts (it arrives with issue #3)\n");
  process.exitCode = 2;
}

if (require.main === module) main();
