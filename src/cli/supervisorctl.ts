/** supervisorctl: not built yet. TODO(#5): the real thing. */
export function main(): void {
  process.stderr.write("supervisorctl: not available yet in supervisord-ts (it arrives with issue #5)\n");
  process.exitCode = 2;
}

if (require.main === module) main();
