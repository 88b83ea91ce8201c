/*
 * Starting a program the way supervisord's child does between fork and exec (states.md §4.2,
 * §9.2), from inside the daemon, with no exec of a helper and no copy of the daemon's fds.
 *
 * A daemon with a thousand programs holds some six thousand fds. A fork or posix_spawn copies
 * that table into the child, and the exec closes every entry again: two passes over thousands
 * of files for each start, as long as the start itself. Here the child is a vfork-style clone
 * that shares the daemon's fd table (CLONE_FILES) and, before anything else, takes a private
 * copy of its first few entries only (close_range with CLOSE_RANGE_UNSHARE): three "slot" fds
 * kept low in the table carry the child's stdin, stdout and stderr across. Then, in
 * supervisord's order:
 *   1. fds 0, 1, 2 from the slots, every fd above 2 closed;
 *   2. setpgid(0, 0): lead a new process group in the daemon's session (a terminal's Ctrl-C for
 *      the daemon does not reach the program);
 *   3. drop privileges to the user (supervisord's drop_privileges): the caller looked the user
 *      up (gid, the groups setgroups gets, primary first); unknown: the uid has no passwd entry;
 *   4. chdir; 5. umask; 6. the soft RLIMIT_NOFILE (at most the hard one): supervisord's
 *      children inherit its soft limit, which Node raised for itself;
 *   7. every signal at its default, none blocked, except SIGPIPE and SIGXFSZ: ignored, as
 *      Python ignores them at start-up and supervisord's children inherit that;
 *   8. execve.
 * A failing step writes supervisord's text to fd 2, then "supervisor: child process was not
 * spawned\n", and exits with status 127:
 *     supervisor: couldn't setuid to UID: Can't find uid UID
 *     supervisor: couldn't setuid to UID: Can't drop privilege as nonroot user
 *     supervisor: couldn't setuid to UID: Could not set groups of effective user
 *     supervisor: couldn't setuid to UID: Could not set group id of effective user
 *     supervisor: couldn't chdir to DIR: ERRNAME
 *     supervisor: couldn't exec ARGV0: ERRNAME
 * ERRNAME is the symbolic errno name Python's errno.errorcode gives (ENOENT, EACCES, ...), or
 * the number when Python has no name for it. A failing setpgid, dup2 or setuid writes only the
 * last line: in supervisord those raise an exception that skips straight to its exit.
 *
 * The child runs in the daemon's memory until its exec (the calling thread waits meanwhile, the
 * daemon's other threads do not): it makes raw system calls only (no allocation, no locks, no
 * glibc wrapper that acts on every thread, as setuid does), on a stack of its own, with every
 * signal blocked until the handlers it shares a copy of are back at their defaults.
 */
#define _GNU_SOURCE
#include "spawn-child.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

#define NOT_SPAWNED "supervisor: child process was not spawned\n"
#define CHILD_STACK_SIZE (256 * 1024)

/* Linux errno numbers and the names Python 3.11's errno.errorcode maps them to. Where Linux has
 * two names for one number, Python's choice is kept: 35 is EDEADLOCK, 95 is ENOTSUP. */
static const char *const ERRNO_NAMES[] = {
    [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO",
    [7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN",
    [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [15] = "ENOTBLK", [16] = "EBUSY",
    [17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
    [22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY",
    [27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS", [31] = "EMLINK",
    [32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35] = "EDEADLOCK", [36] = "ENAMETOOLONG",
    [37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [42] = "ENOMSG",
    [43] = "EIDRM", [44] = "ECHRNG", [45] = "EL2NSYNC", [46] = "EL3HLT", [47] = "EL3RST",
    [48] = "ELNRNG", [49] = "EUNATCH", [50] = "ENOCSI", [51] = "EL2HLT", [52] = "EBADE",
    [53] = "EBADR", [54] = "EXFULL", [55] = "ENOANO", [56] = "EBADRQC", [57] = "EBADSLT",
    [59] = "EBFONT", [60] = "ENOSTR", [61] = "ENODATA", [62] = "ETIME", [63] = "ENOSR",
    [64] = "ENONET", [65] = "ENOPKG", [66] = "EREMOTE", [67] = "ENOLINK", [68] = "EADV",
    [69] = "ESRMNT", [70] = "ECOMM", [71] = "EPROTO", [72] = "EMULTIHOP", [73] = "EDOTDOT",
    [74] = "EBADMSG", [75] = "EOVERFLOW", [76] = "ENOTUNIQ", [77] = "EBADFD", [78] = "EREMCHG",
    [79] = "ELIBACC", [80] = "ELIBBAD", [81] = "ELIBSCN", [82] = "ELIBMAX", [83] = "ELIBEXEC",
    [84] = "EILSEQ", [85] = "ERESTART", [86] = "ESTRPIPE", [87] = "EUSERS", [88] = "ENOTSOCK",
    [89] = "EDESTADDRREQ", [90] = "EMSGSIZE", [91] = "EPROTOTYPE", [92] = "ENOPROTOOPT",
    [93] = "EPROTONOSUPPORT", [94] = "ESOCKTNOSUPPORT", [95] = "ENOTSUP", [96] = "EPFNOSUPPORT",
    [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL", [100] = "ENETDOWN",
    [101] = "ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED", [104] = "ECONNRESET",
    [105] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN", [108] = "ESHUTDOWN",
    [109] = "ETOOMANYREFS", [110] = "ETIMEDOUT", [111] = "ECONNREFUSED", [112] = "EHOSTDOWN",
    [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS", [116] = "ESTALE",
    [117] = "EUCLEAN", [118] = "ENOTNAM", [119] = "ENAVAIL", [120] = "EISNAM",
    [121] = "EREMOTEIO", [122] = "EDQUOT", [123] = "ENOMEDIUM", [124] = "EMEDIUMTYPE",
    [125] = "ECANCELED", [126] = "ENOKEY", [127] = "EKEYEXPIRED", [128] = "EKEYREVOKED",
    [129] = "EKEYREJECTED", [130] = "EOWNERDEAD", [131] = "ENOTRECOVERABLE", [132] = "ERFKILL",
};

/* ---- in the child: raw system calls only ------------------------------------------------- */

/* In the child, syscall(2) stores errno in the waiting thread's TLS: harmless, that thread is
   blocked in clone() until the child is gone, and reads errno only when clone itself failed. */

static __attribute__((noreturn)) void child_exit(int status) {
  for (;;) syscall(SYS_exit_group, status);
}

/* A text line being put together on the child's stack, cut short if it must be. */
typedef struct {
  char text[PATH_MAX + 512];
  size_t length;
} line_t;

static void line_add(line_t *line, const char *part) {
  while (*part != '\0' && line->length < sizeof line->text - 1) line->text[line->length++] = *part++;
}

static void line_add_number(line_t *line, unsigned long long value) {
  char digits[24];
  size_t n = 0;
  do digits[n++] = (char)('0' + value % 10);
  while ((value /= 10) != 0);
  while (n > 0 && line->length < sizeof line->text - 1) line->text[line->length++] = digits[--n];
}

static void line_add_errno(line_t *line, long error) {
  if (error > 0 && (size_t)error < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0] && ERRNO_NAMES[error] != NULL) line_add(line, ERRNO_NAMES[error]);
  else line_add_number(line, (unsigned long long)error);
}

static void write_all(const char *text, size_t length) {
  while (length > 0) {
    long n = syscall(SYS_write, 2, text, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* nowhere left to report to */
    text += n;
    length -= (size_t)n;
  }
}

/* Report one failed step (a line, or nothing), then end the child as supervisord does. */
static __attribute__((noreturn)) void not_spawned(line_t *line) {
  if (line != NULL) {
    line_add(line, "\n");
    write_all(line->text, line->length); /* one write: the line arrives whole */
  }
  write_all(NOT_SPAWNED, sizeof NOT_SPAWNED - 1);
  child_exit(127);
}

static __attribute__((noreturn)) void step_failed(line_t *line, const char *what, const char *subject, const char *reason, long error) {
  line->length = 0;
  line_add(line, "supervisor: ");
  line_add(line, what);
  line_add(line, subject);
  line_add(line, ": ");
  if (reason != NULL) line_add(line, reason);
  else line_add_errno(line, error);
  not_spawned(line);
}

/* Every signal back to its default (a handler would run the daemon's code here), but SIGPIPE
 * and SIGXFSZ ignored; then none blocked. glibc's sigaction is a plain system call; it refuses
 * its own two internal signals, whose handlers only a thread of the daemon is ever sent. */
static void reset_signals(void) {
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = sig == SIGPIPE || sig == SIGXFSZ ? SIG_IGN : SIG_DFL;
    sigaction(sig, &action, NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* What the child needs, set up by the parent; read-only in the child. */
typedef struct {
  const spawn_request_t *request;
  int slots[3];
  int top_slot;
} child_args_t;

static int child_main(void *data) {
  const child_args_t *args = data;
  const spawn_request_t *req = args->request;
  line_t line;
  line.length = 0;

  /* A private fd table holding fds 0 to the highest slot only: the daemon's thousands of files
     are neither copied nor closed one by one. An older kernel: copy, then close what is above. */
  if (syscall(SYS_close_range, args->top_slot + 1, ~0U, CLOSE_RANGE_UNSHARE) != 0) {
    if (syscall(SYS_unshare, CLONE_FILES) != 0) child_exit(127);
    for (long fd = args->top_slot + 1; fd < req->max_fd; fd++) syscall(SYS_close, fd);
  }
  /* Step 1: the slots are above 2, so no dup3 overwrites another's source. */
  for (int i = 0; i < 3; i++) {
    if (syscall(SYS_dup3, args->slots[i], i, 0) < 0) not_spawned(NULL);
  }
  for (long fd = 3; fd <= args->top_slot; fd++) syscall(SYS_close, fd);

  /* Step 2. */
  if (syscall(SYS_setpgid, 0, 0) != 0) not_spawned(NULL);

  /* Step 3, with raw system calls: glibc's setuid and friends would act on every thread of
     the daemon, whose memory this is. */
  if (req->has_uid) {
    line_t uid;
    uid.length = 0;
    line_add_number(&uid, (unsigned long long)req->uid);
    uid.text[uid.length] = '\0';
    const char *what = "couldn't setuid to ";
    if (!req->user_known) {
      line_t reason;
      reason.length = 0;
      line_add(&reason, "Can't find uid ");
      line_add(&reason, uid.text);
      reason.text[reason.length] = '\0';
      step_failed(&line, what, uid.text, reason.text, 0);
    }
    uid_t current = (uid_t)syscall(SYS_getuid);
    if (current != req->uid) {
      if (current != 0) step_failed(&line, what, uid.text, "Can't drop privilege as nonroot user", 0);
      if (syscall(SYS_setgroups, req->group_count, req->groups) != 0) step_failed(&line, what, uid.text, "Could not set groups of effective user", 0);
      if (syscall(SYS_setgid, req->gid) != 0) step_failed(&line, what, uid.text, "Could not set group id of effective user", 0);
      /* supervisord does not catch a failing setuid: the exception ends the child with no
         message but the last line. */
      if (syscall(SYS_setuid, req->uid) != 0) not_spawned(NULL);
    }
  }

  /* Steps 4 to 6. */
  if (req->cwd != NULL && syscall(SYS_chdir, req->cwd) != 0) step_failed(&line, "couldn't chdir to ", req->cwd, NULL, errno);
  if (req->has_umask) syscall(SYS_umask, req->umask);
  if (req->has_nofile) {
    struct rlimit limit;
    if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &limit) == 0) {
      limit.rlim_cur = (rlim_t)req->nofile < limit.rlim_max ? (rlim_t)req->nofile : limit.rlim_max;
      syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &limit, NULL);
    }
  }

  /* Steps 7 and 8. */
  reset_signals();
  syscall(SYS_execve, req->path, req->argv, req->envp);
  step_failed(&line, "couldn't exec ", req->argv[0], NULL, errno);
}

/* ---- in the parent ------------------------------------------------------------------------ */

static int slots[3] = {-1, -1, -1};
static int dev_null = -1;
static char *child_stack;

int spawn_child_init(void) {
  if (child_stack != NULL) return 0;
  /* Slots low in the table: opened now, while the daemon has few files; never 0 to 2. */
  dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (dev_null < 0) return -errno;
  for (int i = 0; i < 3; i++) {
    slots[i] = fcntl(dev_null, F_DUPFD_CLOEXEC, 3);
    if (slots[i] < 0) return -errno;
  }
  void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -errno;
  child_stack = stack;
  return 0;
}

pid_t spawn_program(const spawn_request_t *req) {
  int error = spawn_child_init();
  if (error != 0) return error;
  child_args_t args = {.request = req};
  args.top_slot = 0;
  for (int i = 0; i < 3; i++) {
    args.slots[i] = slots[i];
    if (slots[i] > args.top_slot) args.top_slot = slots[i];
    /* The slots keep close-on-exec here: nothing else this process starts may inherit them. */
    if (dup3(req->fds[i], slots[i], O_CLOEXEC) < 0) {
      error = -errno;
      for (int j = 0; j < i; j++) dup3(dev_null, slots[j], O_CLOEXEC);
      return error;
    }
  }
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  /* The stack grows down: its top, 16-byte aligned. This thread waits until the child has
     exec'd or exited (CLONE_VFORK), so one stack serves every start. */
  pid_t pid = clone(child_main, child_stack + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &args);
  error = pid < 0 ? -errno : 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  /* Let go of the child's ends at once: the daemon must not hold a pipe's write end. */
  for (int i = 0; i < 3; i++) dup3(dev_null, slots[i], O_CLOEXEC);
  return error != 0 ? error : pid;
}
