import { SAMPLE_CONFIG } from "../config/sample-config";

/** echo_supervisord_conf: print the sample config to stdout (arguments are ignored, as supervisord's are). */
export function main(): void {
  process.stdout.write(SAMPLE_CONFIG);
}

if (require.main === module) main();
