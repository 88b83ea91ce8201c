/*
 * line-check FILE...: reads the FILEs as one stream, in the order given, and checks that it is
 * exactly line-writer's output: 64-byte lines numbered 0, 1, 2... with nothing lost, repeated,
 * reordered or torn. Prints "ok LINES" and exits 0, or describes the first bad line and exits 1.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LINE 64
#define DIGITS 12
#define CHUNK (4 << 20)
#define FILLER "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"

static char buffer[CHUNK + LINE];

static int bad(const char *file, long long offset, long long expected, const char *got, size_t len) {
  printf("line %lld expected at byte %lld of %s, found \"", expected, offset, file);
  for (size_t i = 0; i < len && i < LINE; i++) putchar(got[i] == '\n' ? '|' : got[i]);
  printf("\"\n");
  return 1;
}

int main(int argc, char **argv) {
  char expected[LINE];
  memset(expected, '0', DIGITS);
  expected[DIGITS] = ' ';
  memcpy(expected + DIGITS + 1, FILLER, LINE - DIGITS - 2);
  expected[LINE - 1] = '\n';
  long long lines = 0;
  size_t carry = 0; /* bytes of a line split across reads or files */
  const char *file = "(none)";
  long long offset = 0;
  for (int i = 1; i < argc; i++) {
    file = argv[i];
    int fd = open(file, O_RDONLY);
    if (fd < 0) {
      perror(file);
      return 1;
    }
    offset = -(long long)carry;
    ssize_t n;
    while ((n = read(fd, buffer + carry, CHUNK)) > 0) {
      size_t have = carry + (size_t)n, at = 0;
      for (; at + LINE <= have; at += LINE) {
        if (memcmp(buffer + at, expected, LINE) != 0) return bad(file, offset + (long long)at, lines, buffer + at, LINE);
        lines++;
        for (int d = DIGITS - 1; d >= 0 && ++expected[d] > '9'; d--) expected[d] = '0';
      }
      carry = have - at;
      memmove(buffer, buffer + at, carry);
      offset += (long long)at;
    }
    close(fd);
  }
  if (carry != 0) return bad(file, offset, lines, buffer, carry);
  printf("ok %lld\n", lines);
  return 0;
}
