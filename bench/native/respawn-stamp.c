/*
 * respawn-stamp FILE: appends "start NS" when it starts and "exit NS" just before it exits
 * (CLOCK_REALTIME nanoseconds, one write each to a file opened with O_APPEND), then exits 0.
 */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long nanoseconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

int main(int argc, char **argv) {
  long long start = nanoseconds();
  if (argc != 2) return 2;
  int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) return 1;
  char text[64];
  int len = snprintf(text, sizeof text, "start %lld\n", start);
  if (write(fd, text, (size_t)len) != len) return 1;
  len = snprintf(text, sizeof text, "exit %lld\n", nanoseconds());
  if (write(fd, text, (size_t)len) != len) return 1;
  close(fd);
  return 0;
}
