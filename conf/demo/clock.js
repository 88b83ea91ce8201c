// Demo program: prints the time every five seconds until it is stopped.
const tick = () => console.log(`clock: ${new Date().toISOString()}`);
tick();
setInterval(tick, 5000);
process.on("SIGTERM", () => {
  console.log("clock: stopping");
  process.exit(0);
});
