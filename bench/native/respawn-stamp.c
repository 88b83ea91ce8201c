/*
 * respawn-stamp FILE [LIVE_MS]: appends "start NS" when it starts and "exit NS" just before it
 * exits (CLOCK_REALTIME nanoseconds, one write each to a file opened with O_APPEND), then exits 0.
 * With LIVE_MS it lives that long between the two lines, and writes each line to stdout too,
 * just before appending it to FILE: whatever FILE holds, the daemon's capture of stdout must
 * hold as well.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long nanoseconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* One line to stdout (when echoing) and then to FD; 0 on success. */
static int stamp(int fd, int echo, const char *word, long long ns) {
  char text[64];
  int len = snprintf(text, sizeof text, "%s %lld\n", word, ns);
  if (echo && write(1, text, (size_t)len) != len) return 1;
  return write(fd, text, (size_t)len) != len;
}

int main(int argc, char **argv) {
  long long start = nanoseconds();
  if (argc != 2 && argc != 3) return 2;
  int echo = argc == 3;
  int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) return 1;
  if (stamp(fd, echo, "start", start)) return 1;
  if (echo) {
    int live = atoi(argv[2]);
    struct timespec delay = {live / 1000, (long)(live % 1000) * 1000000L};
    nanosleep(&delay, NULL);
  }
  if (stamp(fd, echo, "exit", nanoseconds())) return 1;
  close(fd);
  return 0;
}
