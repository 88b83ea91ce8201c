// Demo program: a queue worker that "processes" a job every few seconds and finishes its
// current job before exiting when asked to stop (stopsignal=TERM).
const name = process.env.SUPERVISOR_PROCESS_NAME ?? "worker";
let job = 0;
let stopping = false;
const work = () => {
  job += 1;
  console.log(`${name}: processed job ${job}`);
  if (stopping) process.exit(0);
};
const timer = setInterval(work, 3000);
process.on("SIGTERM", () => {
  stopping = true;
  console.error(`${name}: finishing job ${job + 1} before stopping`);
  clearInterval(timer);
  work();
});
