/*
 * line-writer BYTES DELAY_MS STAMP_FILE: sleeps DELAY_MS (so that the benchmark can read the
 * daemon's CPU time while it idles), writes the CLOCK_MONOTONIC nanoseconds of its start to
 * STAMP_FILE, then writes BYTES bytes (a multiple of 64) of numbered 64-byte lines to stdout in
 * 1 MiB writes, as fast as the pipe takes them. Line N (from 0): N as 12 zero-padded digits, a
 * space, the 50 letters of FILLER, a newline. line-check.c checks exactly this format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE 64
#define DIGITS 12
#define CHUNK (1 << 20)
#define FILLER "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"

static char buffer[CHUNK];

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: line-writer BYTES DELAY_MS STAMP_FILE\n");
    return 2;
  }
  long long bytes = atoll(argv[1]);
  if (bytes <= 0 || bytes % LINE != 0) {
    fprintf(stderr, "line-writer: BYTES must be a positive multiple of %d\n", LINE);
    return 2;
  }
  struct timespec delay = {atoi(argv[2]) / 1000, (long)(atoi(argv[2]) % 1000) * 1000000L};
  nanosleep(&delay, NULL);

  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  FILE *stamp = fopen(argv[3], "w");
  if (stamp == NULL) {
    perror("line-writer: stamp file");
    return 1;
  }
  fprintf(stamp, "%lld\n", (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
  fclose(stamp);

  char line[LINE];
  memset(line, '0', DIGITS);
  line[DIGITS] = ' ';
  memcpy(line + DIGITS + 1, FILLER, LINE - DIGITS - 2);
  line[LINE - 1] = '\n';

  long long left = bytes;
  while (left > 0) {
    size_t fill = left < CHUNK ? (size_t)left : CHUNK;
    for (size_t at = 0; at < fill; at += LINE) {
      memcpy(buffer + at, line, LINE);
      for (int d = DIGITS - 1; d >= 0 && ++line[d] > '9'; d--) line[d] = '0';
    }
    for (size_t done = 0; done < fill;) {
      ssize_t n = write(1, buffer + done, fill - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        perror("line-writer: write");
        return 1;
      }
      done += (size_t)n;
    }
    left -= (long long)fill;
  }
  return 0;
}
