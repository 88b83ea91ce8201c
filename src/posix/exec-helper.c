/*
 * exec-helper: the few steps supervisord takes in a child between fork and exec, which Node's
 * child_process.spawn cannot take itself (states.md §4.2, §9.2). Node spawns this helper (libuv
 * keeps the pid and the reaping); the helper prepares itself and execs the program, so the pid
 * Node sees is the program's pid. What the parent can do stays in the parent: the pipes and
 * their capacity (src/process/spawn.ts), the daemon's own rlimits (native.node).
 *
 *   exec-helper [--chdir DIR] [--umask OCTAL] [--uid UID] [--redirect-stderr] [--nofile N]
 *               -- PATH ARGV0 [ARGS...]
 *
 *   fds 0, 1 and 2 are already the child's stdin, stdout and stderr (real pipes, as under
 *   supervisord). In supervisord's order:
 *     1. setpgid(0, 0): lead a new process group in the parent's session (setpgrp, not setsid);
 *     2. --redirect-stderr: fd 2 becomes a copy of fd 1; every fd >= 3 is closed;
 *     3. --uid UID --gid GID --groups G1,G2,...: drop privileges to UID as supervisord's
 *        drop_privileges does; the caller looked the user up (no NSS in here, so the helper
 *        can be linked statically): GID is the primary group, the groups what setgroups gets,
 *        primary first; --uid without --gid: the uid has no passwd entry;
 *     4. the environment is the helper's own: the caller hands the program's environment to it;
 *     5. --chdir DIR; 6. --umask OCTAL; --nofile N: the soft RLIMIT_NOFILE (at most the hard
 *        one): supervisord's children inherit its soft limit, which Node raised for itself;

 *     7. execve(PATH, [ARGV0, ARGS...], environ).
 *   A failing step writes supervisord's text to fd 2, then
 *   "supervisor: child process was not spawned\n", and exits with status 127:
 *     supervisor: couldn't setuid to UID: Can't find uid UID
 *     supervisor: couldn't setuid to UID: Can't drop privilege as nonroot user
 *     supervisor: couldn't setuid to UID: Could not set groups of effective user
 *     supervisor: couldn't setuid to UID: Could not set group id of effective user
 *     supervisor: couldn't chdir to DIR: ERRNAME
 *     supervisor: couldn't exec ARGV0: ERRNAME
 *   ERRNAME is the symbolic errno name Python's errno.errorcode gives (ENOENT, EACCES, ...), or
 *   the number when Python has no name for it. A failing setpgid, dup2 or setuid writes only
 *   the last line: in supervisord those raise an exception that skips straight to its exit.
 *   Command-line mistakes (a bug in the caller) print "exec-helper: ..." and exit 127 as well.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define NOT_SPAWNED "supervisor: child process was not spawned\n"

extern char **environ;

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

static const char *errno_name(int err, char *buf, size_t len) {
    if (err > 0 && (size_t)err < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0] &&
        ERRNO_NAMES[err] != NULL)
        return ERRNO_NAMES[err];
    snprintf(buf, len, "%d", err);
    return buf;
}

static void write_all(int fd, const char *text) {
    size_t left = strlen(text);
    while (left > 0) {
        ssize_t n = write(fd, text, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* nowhere left to report to */
        text += n;
        left -= (size_t)n;
    }
}

/* Reports one failed step as "supervisor: WHAT SUBJECT: REASON\n" (or nothing when what is
 * NULL), then ends the child as supervisord does. One write, so that the line arrives whole. */
static void not_spawned(const char *what, const char *subject, const char *reason) {
    if (what != NULL) {
        const char *parts[] = {"supervisor: ", what, subject, ": ", reason, "\n"};
        size_t len = 0;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) len += strlen(parts[i]);
        char *line = malloc(len + 1);
        if (line != NULL) {
            line[0] = '\0';
            for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) strcat(line, parts[i]);
            write_all(2, line);
        } else {
            for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) write_all(2, parts[i]);
        }
    }
    write_all(2, NOT_SPAWNED);
    _exit(127);
}

static void usage(const char *problem) {
    write_all(2, "exec-helper: ");
    write_all(2, problem);
    write_all(2, "\nusage: exec-helper [--chdir DIR] [--umask OCTAL] [--uid UID [--gid GID --groups G,...]] [--redirect-stderr] [--nofile N]"
                 " -- PATH ARGV0 [ARGS...]\n");
}

/* A whole-string unsigned number in base 8 or 10; 0 when it is not one. */
static int parse_number(const char *text, int base, unsigned long long max, unsigned long long *out) {
    if (*text == '\0' || *text == '-' || *text == '+' || *text == ' ') return 0;
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, base);
    if (errno != 0 || *end != '\0' || value > max) return 0;
    *out = value;
    return 1;
}

static void close_fds_from_3(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
    /* Kernels before 5.9: close what /proc lists, passing over it again until a pass finds
     * nothing, since closing during a listing may make it skip entries. */
    for (int pass = 0; pass < 64; pass++) {
        DIR *dir = opendir("/proc/self/fd");
        if (dir == NULL) break;
        int closed = 0;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            unsigned long long fd;
            if (parse_number(entry->d_name, 10, INT_MAX, &fd) && fd >= 3 && (int)fd != dirfd(dir)) {
                close((int)fd);
                closed = 1;
            }
        }
        closedir(dir);
        if (!closed) return;
    }
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > INT_MAX) max = INT_MAX;
    for (long fd = 3; fd < max; fd++) close((int)fd);
}

enum drop_result { DROPPED, DROP_FAILED_SILENTLY, DROP_FAILED };

/* supervisord's drop_privileges (states.md §9.2); on DROP_FAILED, reason holds its message.
 * The caller looked the user up (the passwd and group databases, through NSS, once for many
 * spawns): gid is the primary group, groups what setgroups gets (the primary group first),
 * known is false when the uid has no passwd entry. */
static enum drop_result drop_privileges(uid_t uid, int known, gid_t gid, const gid_t *groups, size_t count, char *reason, size_t len) {
    if (!known) {
        snprintf(reason, len, "Can't find uid %llu", (unsigned long long)uid);
        return DROP_FAILED;
    }
    if (getuid() == uid) return DROPPED;
    if (getuid() != 0) {
        snprintf(reason, len, "Can't drop privilege as nonroot user");
        return DROP_FAILED;
    }
    if (setgroups(count, groups) != 0) {
        snprintf(reason, len, "Could not set groups of effective user");
        return DROP_FAILED;
    }
    if (setgid(gid) != 0) {
        snprintf(reason, len, "Could not set group id of effective user");
        return DROP_FAILED;
    }
    /* supervisord does not catch a failing setuid: the exception ends the child with no
     * message but the last line. */
    if (setuid(uid) != 0) return DROP_FAILED_SILENTLY;
    return DROPPED;
}

/* "1,2,3" into groups (at most max); the count, or -1 for a malformed list. */
static long parse_groups(const char *text, gid_t *groups, size_t max) {
    size_t count = 0;
    const char *p = text;
    while (*p != '\0') {
        char *end = NULL;
        errno = 0;
        unsigned long long value = strtoull(p, &end, 10);
        if (end == p || errno != 0 || value > (gid_t)-1 - 1 || count == max) return -1;
        groups[count++] = (gid_t)value;
        p = end;
        if (*p == ',') p++;
        else if (*p != '\0') return -1;
    }
    return (long)count;
}

int main(int argc, char **argv) {
    const char *chdir_to = NULL;
    int has_umask = 0, has_uid = 0, redirect_stderr = 0, has_nofile = 0, has_gid = 0;
    unsigned long long umask_value = 0, uid_value = 0, nofile_value = 0, gid_value = 0;
    static gid_t groups[NGROUPS_MAX + 1];
    long group_count = -1;
    int i = 1;
    for (; i < argc; i++) {
        const char *option = argv[i];
        if (strcmp(option, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(option, "--redirect-stderr") == 0) {
            redirect_stderr = 1;
            continue;
        }
        if (i + 1 >= argc) {
            usage("an option is missing its value or the command is missing");
            return 127;
        }
        const char *value = argv[++i];
        if (strcmp(option, "--chdir") == 0) {
            chdir_to = value;
        } else if (strcmp(option, "--umask") == 0) {
            has_umask = parse_number(value, 8, 07777, &umask_value);
            if (!has_umask) {
                usage("--umask takes an octal number up to 7777");
                return 127;
            }
        } else if (strcmp(option, "--nofile") == 0) {
            has_nofile = parse_number(value, 10, ULLONG_MAX - 1, &nofile_value);
            if (!has_nofile) {
                usage("--nofile takes a number");
                return 127;
            }
        } else if (strcmp(option, "--uid") == 0) {
            has_uid = parse_number(value, 10, (uid_t)-1 - 1, &uid_value);
            if (!has_uid) {
                usage("--uid takes a numeric user id");
                return 127;
            }
        } else if (strcmp(option, "--gid") == 0) {
            has_gid = parse_number(value, 10, (gid_t)-1 - 1, &gid_value);
            if (!has_gid) {
                usage("--gid takes a numeric group id");
                return 127;
            }
        } else if (strcmp(option, "--groups") == 0) {
            group_count = parse_groups(value, groups, sizeof groups / sizeof groups[0]);
            if (group_count < 0) {
                usage("--groups takes a comma-separated list of group ids");
                return 127;
            }
        } else {
            usage("unknown option");
            return 127;
        }
    }
    if (argc - i < 2) {
        usage("PATH and ARGV0 must follow --");
        return 127;
    }
    const char *path = argv[i];
    char **program_argv = argv + i + 1;
    char number[32];

    /* states.md §4.2 step 1: signals meant for the daemon's own group (a terminal's Ctrl-C)
     * must not reach the program. */
    if (setpgid(0, 0) != 0) not_spawned(NULL, NULL, NULL);

    /* Step 2. */
    if (redirect_stderr && dup2(1, 2) < 0) not_spawned(NULL, NULL, NULL);
    close_fds_from_3();

    /* Step 3. */
    if (has_uid) {
        char reason[128];
        /* Without --gid the caller found no passwd entry for the uid. */
        int known = has_gid && group_count >= 0;
        switch (drop_privileges((uid_t)uid_value, known, (gid_t)gid_value, groups, known ? (size_t)group_count : 0, reason, sizeof reason)) {
        case DROPPED:
            break;
        case DROP_FAILED_SILENTLY:
            not_spawned(NULL, NULL, NULL);
            break;
        case DROP_FAILED:
            snprintf(number, sizeof number, "%llu", uid_value);
            not_spawned("couldn't setuid to ", number, reason);
            break;
        }
    }

    /* Step 5. */
    if (chdir_to != NULL && chdir(chdir_to) != 0) {
        int err = errno;
        not_spawned("couldn't chdir to ", chdir_to, errno_name(err, number, sizeof number));
    }

    /* Step 6. */
    if (has_umask) umask((mode_t)umask_value);
    if (has_nofile) {
        struct rlimit limit;
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
            limit.rlim_cur = (rlim_t)nofile_value < limit.rlim_max ? (rlim_t)nofile_value : limit.rlim_max;
            (void)setrlimit(RLIMIT_NOFILE, &limit);
        }
    }

    /* supervisord's children inherit the two signals Python ignores at start-up: a write to a
     * closed pipe fails with EPIPE instead of killing the program, and so does going past
     * RLIMIT_FSIZE. libuv reset every disposition to the default before running this helper,
     * and an ignored disposition is the one kind that survives execve. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);

    /* Step 7. */
    execve(path, program_argv, environ);
    int err = errno;
    not_spawned("couldn't exec ", program_argv[0], errno_name(err, number, sizeof number));
    return 127;
}
