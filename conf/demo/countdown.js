// Demo program: counts down from ten and exits 0, an "expected" exit that is not restarted
// (autorestart=unexpected), so its state shows EXITED.
let n = 10;
const timer = setInterval(() => {
  console.log(`countdown: ${n}`);
  n -= 1;
  if (n === 0) {
    clearInterval(timer);
    console.log("countdown: done");
  }
}, 1000);
