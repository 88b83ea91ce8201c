/*
 * native.node: the few POSIX calls supervisord needs and Node does not offer.
 *
 *   pipe()                      -> [readFd, writeFd]   (pipe2 with O_CLOEXEC; throws on error)
 *   setPipeSize(fd, bytes)      -> the new capacity, or -errno
 *   getrlimit(resource)         -> [soft, hard]         (-1 for unlimited)
 *   setrlimit(resource, s, h)   -> 0, or -errno          (-1 for unlimited)
 *   openlog(ident)              -> undefined            (LOG_PID? no: supervisord uses defaults)
 *   syslog(priority, message)   -> undefined
 *   listenUnix(path, backlog)   -> fd   (a listening unix socket no event loop watches)
 *   listenTcp(host, port, backlog) -> fd
 *   spawn(path, argv, env, stdinFd, stdoutFd, stderrFd, cwd, umask, uid, gid, groups, nofile) -> pid
 *       start a program as supervisord's child would be (spawn-child.c): the three fds made its
 *       0, 1, 2, its own process group, cwd (or null), umask, uid with gid and groups (gid -1:
 *       the uid has no passwd entry), the soft RLIMIT_NOFILE (-1 for each: unchanged). Throws
 *       when no child was started (EAGAIN, ENOMEM); a later step fails in the child, which
 *       reports it and exits 127. The child is not libuv's: nothing reaps it but watchExit.
 *   watchExit(pid, onExit(code, signal, coreDumped)) -> watch
 *       pidfd_open + the event loop; on exit the child is reaped (waitid) and onExit called
 *       once with the raw outcome: code (or -1) for an exit, signal (or 0) for a death.
 *   closeWatch(watch)
 *   openReader(fd, maxChunk, onChunk(buffer | null, errorCode?)) -> reader
 *       reads a pipe as the event loop reports it readable, in chunks as large as what is
 *       there (up to maxChunk), each a new Buffer; null at EOF or on an error.
 *   pauseReader(reader), resumeReader(reader), closeReader(reader)
 *   notifyReader(reader)
 *       from now on the reader reads nothing itself: when the pipe is readable it stops watching
 *       and calls onChunk(undefined); resumeReader watches again.
 *   transferReader(reader, fileFd, stopAt, done(errorCode | null, moved, position, state))
 *       on the threadpool: read what the pipe holds in 128 KiB reads and write each read to
 *       fileFd (-1: drop it), as supervisord writes each read; stop when the pipe is empty
 *       (state 0), after 16 MiB (1: more may wait), once the file's size reaches stopAt > 0 after
 *       a write (2: rotate it), or at EOF or a read error (3: the reader then ends, onChunk(null)).
 *       No byte passes through JS. errorCode is a failed write's (that read is lost).
 *   appendBuffers(fd, buffers, done(errorCode | null, position))
 *       on the threadpool: write every buffer (writev, partial writes continued), then the
 *       file's size (lseek to its end: what Python's tell() says of a file opened to append).
 *   rotateFiles(path, backups, done(errorCode | null))
 *       on the threadpool: supervisord's rollover renames (NAME.i -> NAME.i+1, NAME -> NAME.1),
 *       a vanished source or target being fine, as in one job instead of hundreds.
 *
 * resource is "nofile" or "nproc". Children need real pipes, not the socketpairs libuv makes
 * for stdio "pipe": a program that opens /dev/stdout (nginx's access_log /dev/stdout, say)
 * gets ENXIO on a socket, and works under supervisord.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <limits.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdbool.h>
#include <node_api.h>
#include "spawn-child.h"
#include <uv.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "native.node: N-API call failed");  \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static napi_value number(napi_env env, double value) {
  napi_value out;
  if (napi_create_double(env, value, &out) != napi_ok) return NULL;
  return out;
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "native.node: missing arguments");
    return 0;
  }
  return 1;
}

static int resource_of(napi_env env, napi_value value, int *resource) {
  char name[16];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, name, sizeof name, &len) != napi_ok) return 0;
  if (strcmp(name, "nofile") == 0) *resource = RLIMIT_NOFILE;
  else if (strcmp(name, "nproc") == 0) *resource = RLIMIT_NPROC;
  else return 0;
  return 1;
}

/* Throw an Error with code = the errno's name, errno = its number, message = strerror. */
static napi_value throw_errno(napi_env env, int error) {
  const char *name = strerrorname_np(error);
  char code[32];
  if (name == NULL) {
    snprintf(code, sizeof code, "%d", error);
    name = code;
  }
  napi_value message, code_value, err, number_value;
  if (napi_create_string_utf8(env, strerror(error), NAPI_AUTO_LENGTH, &message) == napi_ok &&
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code_value) == napi_ok &&
      napi_create_error(env, code_value, message, &err) == napi_ok &&
      napi_create_int32(env, error, &number_value) == napi_ok &&
      napi_set_named_property(env, err, "errno", number_value) == napi_ok) {
    napi_throw(env, err);
  } else {
    napi_throw_error(env, name, strerror(error));
  }
  return NULL;
}

static napi_value js_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return throw_errno(env, errno);
  napi_value out;
  if (napi_create_array_with_length(env, 2, &out) != napi_ok ||
      napi_set_element(env, out, 0, number(env, fds[0])) != napi_ok ||
      napi_set_element(env, out, 1, number(env, fds[1])) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    napi_throw_error(env, NULL, "native.node: N-API call failed");
    return NULL;
  }
  return out;
}

static napi_value js_set_pipe_size(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  int32_t fd = 0, size = 0;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int32(env, argv[1], &size));
  int result = fcntl(fd, F_SETPIPE_SZ, size);
  return number(env, result < 0 ? -errno : result);
}

static napi_value js_getrlimit(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return NULL;
  int resource;
  if (!resource_of(env, argv[0], &resource)) {
    napi_throw_type_error(env, NULL, "native.node: resource must be nofile or nproc");
    return NULL;
  }
  struct rlimit limit;
  if (getrlimit(resource, &limit) != 0) return number(env, -errno);
  napi_value out;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_set_element(env, out, 0, number(env, limit.rlim_cur == RLIM_INFINITY ? -1 : (double)limit.rlim_cur)));
  CHECK(napi_set_element(env, out, 1, number(env, limit.rlim_max == RLIM_INFINITY ? -1 : (double)limit.rlim_max)));
  return out;
}

static napi_value js_setrlimit(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv)) return NULL;
  int resource;
  if (!resource_of(env, argv[0], &resource)) {
    napi_throw_type_error(env, NULL, "native.node: resource must be nofile or nproc");
    return NULL;
  }
  double soft = 0, hard = 0;
  CHECK(napi_get_value_double(env, argv[1], &soft));
  CHECK(napi_get_value_double(env, argv[2], &hard));
  struct rlimit limit;
  limit.rlim_cur = soft < 0 ? RLIM_INFINITY : (rlim_t)soft;
  limit.rlim_max = hard < 0 ? RLIM_INFINITY : (rlim_t)hard;
  return number(env, setrlimit(resource, &limit) == 0 ? 0 : -errno);
}

static char syslog_ident[256];

static napi_value js_openlog(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return NULL;
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, argv[0], syslog_ident, sizeof syslog_ident, &len));
  openlog(syslog_ident, 0, LOG_USER);
  return NULL;
}

static napi_value js_syslog(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  int32_t priority = LOG_INFO;
  CHECK(napi_get_value_int32(env, argv[0], &priority));
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, argv[1], NULL, 0, &len));
  char stack[1024];
  char *message = len < sizeof stack ? stack : malloc(len + 1);
  if (message == NULL) {
    napi_throw_error(env, "ENOMEM", "native.node: out of memory for a syslog message");
    return NULL;
  }
  napi_status status = napi_get_value_string_utf8(env, argv[1], message, len + 1, &len);
  if (status == napi_ok) syslog(priority, "%s", message);
  if (message != stack) free(message);
  if (status != napi_ok) napi_throw_error(env, NULL, "native.node: N-API call failed");
  return NULL;
}

/*
 * fcgi-program sockets: the daemon only holds them and hands them to its children as stdin;
 * nothing may accept on them in the daemon (a Node server would), so no event loop sees them.
 */
static napi_value fd_value(napi_env env, int fd) {
  return number(env, fd);
}

static napi_value js_listen_unix(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, argv[0], addr.sun_path, sizeof addr.sun_path, &len));
  if (len >= sizeof addr.sun_path - 1) return throw_errno(env, ENAMETOOLONG);
  int32_t backlog = 0;
  CHECK(napi_get_value_int32(env, argv[1], &backlog));
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, backlog) != 0) {
    int error = errno;
    close(fd);
    return throw_errno(env, error);
  }
  return fd_value(env, fd);
}

static napi_value js_listen_tcp(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv)) return NULL;
  char host[256];
  size_t len = 0;
  CHECK(napi_get_value_string_utf8(env, argv[0], host, sizeof host, &len));
  int32_t port = 0, backlog = 0;
  CHECK(napi_get_value_int32(env, argv[1], &port));
  CHECK(napi_get_value_int32(env, argv[2], &backlog));
  char service[16];
  snprintf(service, sizeof service, "%d", port);
  struct addrinfo hints, *found = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  int gai = getaddrinfo(host[0] ? host : NULL, service, &hints, &found);
  if (gai != 0 || found == NULL) {
    napi_throw_error(env, "EAI", gai_strerror(gai));
    return NULL;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int error = errno;
    freeaddrinfo(found);
    return throw_errno(env, error);
  }
  int one = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, found->ai_addr, found->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
    int error = errno;
    close(fd);
    freeaddrinfo(found);
    return throw_errno(env, error);
  }
  freeaddrinfo(found);
  return fd_value(env, fd);
}

/* ---- spawning ---------------------------------------------------------------------------- */

static char *string_of(napi_env env, napi_value value) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &len) != napi_ok) return NULL;
  char *out = malloc(len + 1);
  if (out == NULL) return NULL;
  if (napi_get_value_string_utf8(env, value, out, len + 1, &len) != napi_ok) {
    free(out);
    return NULL;
  }
  return out;
}

static void free_strings(char **list) {
  if (list == NULL) return;
  for (char **p = list; *p != NULL; p++) free(*p);
  free(list);
}

/* A JS array of strings as a NULL-terminated char* array (NULL on failure). */
static char **strings_of(napi_env env, napi_value array) {
  uint32_t length = 0;
  if (napi_get_array_length(env, array, &length) != napi_ok) return NULL;
  char **list = calloc((size_t)length + 1, sizeof(char *));
  if (list == NULL) return NULL;
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || (list[i] = string_of(env, item)) == NULL) {
      free_strings(list);
      return NULL;
    }
  }
  return list;
}

static int optional_int(napi_env env, napi_value value, int64_t *out) {
  return napi_get_value_int64(env, value, out) == napi_ok && *out >= 0;
}

/* A JS array of numbers as gid_t (NULL and 0 for null); -1 when it is not one. */
static long gids_of(napi_env env, napi_value value, gid_t **out) {
  *out = NULL;
  bool is_array = false;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array) return 0;
  uint32_t length = 0;
  if (napi_get_array_length(env, value, &length) != napi_ok) return -1;
  gid_t *gids = calloc(length > 0 ? length : 1, sizeof *gids);
  if (gids == NULL) return -1;
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    int64_t gid = 0;
    if (napi_get_element(env, value, i, &item) != napi_ok || napi_get_value_int64(env, item, &gid) != napi_ok || gid < 0) {
      free(gids);
      return -1;
    }
    gids[i] = (gid_t)gid;
  }
  *out = gids;
  return (long)length;
}

static napi_value js_spawn(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!args(env, info, 12, argv)) return NULL;
  spawn_request_t req;
  memset(&req, 0, sizeof req);
  for (int i = 0; i < 3; i++) CHECK(napi_get_value_int32(env, argv[3 + i], &req.fds[i]));
  int64_t umask_value = -1, uid = -1, gid = -1, nofile = -1;
  napi_valuetype cwd_type = napi_null;
  CHECK(napi_typeof(env, argv[6], &cwd_type));
  req.has_umask = optional_int(env, argv[7], &umask_value);
  req.umask = (mode_t)umask_value;
  req.has_uid = optional_int(env, argv[8], &uid);
  req.uid = (uid_t)uid;
  req.user_known = optional_int(env, argv[9], &gid);
  req.gid = (gid_t)gid;
  req.has_nofile = optional_int(env, argv[11], &nofile);
  req.nofile = (unsigned long long)nofile;
  struct rlimit limit;
  req.max_fd = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < INT_MAX ? (long)limit.rlim_cur : INT_MAX;
  char *path = string_of(env, argv[0]);
  char **child_argv = strings_of(env, argv[1]);
  char **child_env = strings_of(env, argv[2]);
  char *cwd = cwd_type == napi_string ? string_of(env, argv[6]) : NULL;
  gid_t *groups = NULL;
  long group_count = gids_of(env, argv[10], &groups);
  pid_t pid = -ENOMEM;
  if (path != NULL && child_argv != NULL && child_argv[0] != NULL && child_env != NULL && (cwd_type != napi_string || cwd != NULL) && group_count >= 0) {
    req.path = path;
    req.argv = child_argv;
    req.envp = child_env;
    req.cwd = cwd;
    req.groups = groups;
    req.group_count = (size_t)group_count;
    pid = spawn_program(&req);
  }
  free(path);
  free(cwd);
  free(groups);
  free_strings(child_argv);
  free_strings(child_env);
  if (pid < 0) return throw_errno(env, (int)-pid);
  return number(env, pid);
}

/* ---- callbacks into JS from the event loop ---------------------------------------------- */

/* What a reader and a watch share: a poll handle on the loop, and the JS function to call. */
typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int fd;
  int refs;       /* the JS external and the open uv handle each hold one; a transfer job one more */
  int closing;
  int busy;       /* a transfer job is reading fd on the threadpool: closing the fd waits for it */
  void *owned;    /* freed with the handle (a reader's scratch buffer) */
} handle_t;

static void handle_release(handle_t *h) {
  if (--h->refs > 0) return;
  if (h->owned != NULL) free(h->owned);
  free(h);
}

static void handle_on_close(uv_handle_t *poll) {
  handle_release((handle_t *)poll->data);
}

static void handle_close(handle_t *h) {
  if (h->closing) return;
  h->closing = 1;
  uv_poll_stop(&h->poll);
  if (h->callback != NULL) {
    napi_delete_reference(h->env, h->callback);
    h->callback = NULL;
  }
  if (h->context != NULL) {
    napi_async_destroy(h->env, h->context);
    h->context = NULL;
  }
  if (h->fd >= 0 && !h->busy) {
    close(h->fd);
    h->fd = -1;
  }
  uv_close((uv_handle_t *)&h->poll, handle_on_close);
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  handle_t *h = data;
  handle_close(h);
  handle_release(h);
}

/* Call the handle's JS callback with argv (inside a handle scope, microtasks run after). */
static void handle_call(handle_t *h, size_t argc, napi_value *argv) {
  napi_env env = h->env;
  napi_value fn, recv;
  if (h->callback == NULL || napi_get_reference_value(env, h->callback, &fn) != napi_ok) return;
  napi_get_global(env, &recv); /* napi_make_callback needs an object as the receiver */
  napi_make_callback(env, h->context, recv, fn, argc, argv, NULL);
}

static handle_t *handle_new(napi_env env, napi_value callback, int fd, const char *name, napi_value *external) {
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  handle_t *h = calloc(1, sizeof *h);
  if (h == NULL) return NULL;
  h->env = env;
  h->fd = fd;
  h->refs = 2;
  napi_value resource, resource_name;
  if (uv_poll_init(loop, &h->poll, fd) != 0 ||
      napi_create_reference(env, callback, 1, &h->callback) != napi_ok ||
      napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_async_init(env, resource, resource_name, &h->context) != napi_ok ||
      napi_create_external(env, h, handle_finalize, NULL, external) != napi_ok) {
    free(h); /* uv_poll_init failing leaves nothing to close; the others are leaks we accept on a dying env */
    return NULL;
  }
  h->poll.data = h;
  return h;
}

static handle_t *handle_of(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return NULL;
  void *data = NULL;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "native.node: not a handle");
    return NULL;
  }
  return data;
}

/* ---- exit watching ------------------------------------------------------------------------ */

static void watch_on_poll(uv_poll_t *poll, int status, int events) {
  (void)status;
  (void)events;
  handle_t *h = poll->data;
  if (h->closing) return;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int rc = waitid((idtype_t)P_PIDFD, (id_t)h->fd, &si, WEXITED | WNOHANG);
  if (rc != 0 && errno == EINTR) return;
  if (rc == 0 && si.si_pid == 0) return; /* not exited yet: a spurious wake */
  /* rc != 0 otherwise (ECHILD): someone else reaped it; report an unknown end (-1, 0). */
  int code = -1, sig = 0, core = 0;
  if (si.si_code == CLD_EXITED) code = si.si_status;
  else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) {
    sig = si.si_status;
    core = si.si_code == CLD_DUMPED;
  }
  napi_env env = h->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[3];
  napi_create_int32(env, code, &argv[0]);
  napi_create_int32(env, sig, &argv[1]);
  napi_get_boolean(env, core, &argv[2]);
  /* Keep the callback alive past handle_close, which drops our reference to it. */
  napi_value fn = NULL;
  if (h->callback != NULL) napi_get_reference_value(env, h->callback, &fn);
  napi_async_context context = h->context;
  h->context = NULL;
  handle_close(h);
  if (fn != NULL) {
    napi_value recv;
    napi_get_global(env, &recv);
    napi_make_callback(env, context, recv, fn, 3, argv, NULL);
  }
  if (context != NULL) napi_async_destroy(env, context);
  napi_close_handle_scope(env, scope);
}

static napi_value js_watch_exit(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args(env, info, 2, argv)) return NULL;
  int32_t pid = 0;
  CHECK(napi_get_value_int32(env, argv[0], &pid));
  int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (pidfd < 0) return throw_errno(env, errno);
  fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  napi_value external;
  handle_t *h = handle_new(env, argv[1], pidfd, "supervisord:exit", &external);
  if (h == NULL) {
    close(pidfd);
    napi_throw_error(env, NULL, "native.node: could not watch the process");
    return NULL;
  }
  if (uv_poll_start(&h->poll, UV_READABLE, watch_on_poll) != 0) {
    handle_close(h);
    napi_throw_error(env, NULL, "native.node: could not poll the process");
    return NULL;
  }
  return external;
}

static napi_value js_close_handle(napi_env env, napi_callback_info info) {
  handle_t *h = handle_of(env, info);
  if (h != NULL) handle_close(h);
  return NULL;
}

/* ---- pipe readers ------------------------------------------------------------------------- */

typedef struct {
  handle_t base;   /* first, so a reader_t* is a handle_t* */
  size_t max_chunk;
  int paused;
  int notify;      /* notifyReader: tell JS the pipe is readable instead of reading it */
  char *scratch;   /* one read's worth, reused: each chunk is copied out at its exact size; made
                      at the first read (a reader that only notifies never needs it, and even an
                      untouched malloc'd MiB costs a resident page for its header) */
} reader_t;

/* Reads per wake-up before yielding to the rest of the loop. */
#define READS_PER_WAKE 16

static void reader_deliver_end(reader_t *r, const char *error_code) {
  handle_t *h = &r->base;
  napi_env env = h->env;
  napi_value fn = NULL, argv[2];
  if (h->callback != NULL) napi_get_reference_value(env, h->callback, &fn);
  napi_async_context context = h->context;
  h->context = NULL;
  napi_get_null(env, &argv[0]);
  if (error_code != NULL) napi_create_string_utf8(env, error_code, NAPI_AUTO_LENGTH, &argv[1]);
  else napi_get_undefined(env, &argv[1]);
  handle_close(h);
  if (fn != NULL) {
    napi_value recv;
    napi_get_global(env, &recv);
    napi_make_callback(env, context, recv, fn, 2, argv, NULL);
  }
  if (context != NULL) napi_async_destroy(env, context);
}

static void reader_on_poll(uv_poll_t *poll, int status, int events) {
  (void)events;
  reader_t *r = poll->data;
  handle_t *h = &r->base;
  if (h->closing) return;
  napi_env env = h->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  if (status < 0) {
    reader_deliver_end(r, uv_err_name(status));
    napi_close_handle_scope(env, scope);
    return;
  }
  if (r->notify) {
    r->paused = 1;
    uv_poll_stop(&h->poll);
    napi_value argv[1];
    napi_get_undefined(env, &argv[0]);
    handle_call(h, 1, argv);
    napi_close_handle_scope(env, scope);
    return;
  }
  if (r->scratch == NULL && (h->owned = r->scratch = malloc(r->max_chunk)) == NULL) {
    reader_deliver_end(r, "ENOMEM");
    napi_close_handle_scope(env, scope);
    return;
  }
  /* No FIONREAD to size the read: it takes the pipe's lock, which a fast writer holds; read
   * into the scratch buffer and copy out what came (a memcpy is cheaper than the contention). */
  for (int i = 0; i < READS_PER_WAKE && !r->paused && !h->closing; i++) {
    ssize_t n;
    do n = read(h->fd, r->scratch, r->max_chunk);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      const char *name = strerrorname_np(errno);
      reader_deliver_end(r, name != NULL ? name : "EIO");
      break;
    }
    if (n == 0) {
      reader_deliver_end(r, NULL);
      break;
    }
    napi_value buffer;
    if (napi_create_buffer_copy(env, (size_t)n, r->scratch, NULL, &buffer) != napi_ok) break;
    napi_value argv[1] = {buffer};
    handle_call(h, 1, argv);
    if ((size_t)n < r->max_chunk) break; /* the pipe is empty now: wait for the next wake */
  }
  napi_close_handle_scope(env, scope);
}

static napi_value js_open_reader(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv)) return NULL;
  int32_t fd = -1, max_chunk = 0;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int32(env, argv[1], &max_chunk));
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return throw_errno(env, errno);
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  reader_t *r = calloc(1, sizeof *r);
  if (r == NULL) return throw_errno(env, ENOMEM);
  handle_t *h = &r->base;
  h->env = env;
  h->fd = fd;
  h->refs = 2;
  r->max_chunk = max_chunk > 0 ? (size_t)max_chunk : 65536;
  napi_value external, resource, resource_name;
  if (uv_poll_init(loop, &h->poll, fd) != 0) {
    free(r);
    return throw_errno(env, EBADF);
  }
  h->poll.data = h;
  if (napi_create_reference(env, argv[2], 1, &h->callback) != napi_ok ||
      napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, "supervisord:pipe", NAPI_AUTO_LENGTH, &resource_name) != napi_ok ||
      napi_async_init(env, resource, resource_name, &h->context) != napi_ok ||
      napi_create_external(env, r, handle_finalize, NULL, &external) != napi_ok ||
      uv_poll_start(&h->poll, UV_READABLE, reader_on_poll) != 0) {
    h->fd = -1; /* the caller still owns the fd when we fail */
    handle_close(h);
    handle_release(h);
    napi_throw_error(env, NULL, "native.node: could not read the pipe");
    return NULL;
  }
  return external;
}

static napi_value js_pause_reader(napi_env env, napi_callback_info info) {
  reader_t *r = (reader_t *)handle_of(env, info);
  if (r != NULL && !r->base.closing && !r->paused) {
    r->paused = 1;
    uv_poll_stop(&r->base.poll);
  }
  return NULL;
}

static napi_value js_resume_reader(napi_env env, napi_callback_info info) {
  reader_t *r = (reader_t *)handle_of(env, info);
  if (r != NULL && !r->base.closing && r->paused) {
    r->paused = 0;
    uv_poll_start(&r->base.poll, UV_READABLE, reader_on_poll);
  }
  return NULL;
}

/* ---- file work on the threadpool ----------------------------------------------------------- */

typedef struct {
  napi_async_work work;
  napi_ref callback;
  napi_ref keep;        /* the buffers (an array), alive until the write is done */
  int fd;
  struct iovec *iov;
  size_t iov_count;
  char *path;
  int backups;
  int error;
  long long position;
} file_job_t;

static void job_free(napi_env env, file_job_t *job) {
  if (job->callback != NULL) napi_delete_reference(env, job->callback);
  if (job->keep != NULL) napi_delete_reference(env, job->keep);
  if (job->work != NULL) napi_delete_async_work(env, job->work);
  free(job->iov);
  free(job->path);
  free(job);
}

static void job_complete(napi_env env, napi_status status, void *data) {
  file_job_t *job = data;
  napi_value fn, recv, argv[2];
  if (napi_get_reference_value(env, job->callback, &fn) == napi_ok && fn != NULL) {
    napi_get_global(env, &recv);
    int error = status == napi_cancelled ? ECANCELED : job->error;
    if (error != 0) {
      const char *name = strerrorname_np(error);
      napi_create_string_utf8(env, name != NULL ? name : "EIO", NAPI_AUTO_LENGTH, &argv[0]);
    } else {
      napi_get_null(env, &argv[0]);
    }
    napi_create_double(env, (double)job->position, &argv[1]);
    napi_call_function(env, recv, fn, 2, argv, NULL);
  }
  job_free(env, job);
}

static void append_execute(napi_env env, void *data) {
  (void)env;
  file_job_t *job = data;
  struct iovec *iov = job->iov;
  size_t count = job->iov_count;
  while (count > 0) {
    int batch = count > IOV_MAX ? IOV_MAX : (int)count;
    ssize_t n = writev(job->fd, iov, batch);
    if (n < 0) {
      if (errno == EINTR) continue;
      job->error = errno;
      return;
    }
    /* Drop what was written; continue a partial write where it stopped. */
    size_t left = (size_t)n;
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      iov++;
      count--;
    }
    if (count > 0 && left > 0) {
      iov->iov_base = (char *)iov->iov_base + left;
      iov->iov_len -= left;
    }
  }
  off_t position = lseek(job->fd, 0, SEEK_END); /* the size: an O_APPEND file has not moved yet when nothing was written */
  job->position = position < 0 ? -1 : (long long)position;
}

static napi_value js_append_buffers(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv)) return NULL;
  file_job_t *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM);
  uint32_t length = 0;
  if (napi_get_value_int32(env, argv[0], &job->fd) != napi_ok || napi_get_array_length(env, argv[1], &length) != napi_ok) {
    free(job);
    napi_throw_type_error(env, NULL, "native.node: appendBuffers(fd, buffers, done)");
    return NULL;
  }
  job->iov = calloc(length > 0 ? length : 1, sizeof *job->iov);
  job->iov_count = length;
  napi_value name;
  if (job->iov == NULL ||
      napi_create_reference(env, argv[1], 1, &job->keep) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &job->callback) != napi_ok) {
    job_free(env, job);
    return throw_errno(env, ENOMEM);
  }
  for (uint32_t i = 0; i < length; i++) {
    napi_value item;
    void *base = NULL;
    size_t len = 0;
    if (napi_get_element(env, argv[1], i, &item) != napi_ok || napi_get_buffer_info(env, item, &base, &len) != napi_ok) {
      job_free(env, job);
      napi_throw_type_error(env, NULL, "native.node: appendBuffers takes an array of Buffers");
      return NULL;
    }
    job->iov[i].iov_base = base;
    job->iov[i].iov_len = len;
  }
  if (napi_create_string_utf8(env, "supervisord:append", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, append_execute, job_complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    job_free(env, job);
    napi_throw_error(env, NULL, "native.node: could not queue the write");
    return NULL;
  }
  return NULL;
}

static int path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* supervisord's removeAndRename: a target or source that is already gone is fine. */
static int remove_and_rename(const char *source, const char *target) {
  if (path_exists(target) && unlink(target) != 0 && errno != ENOENT) return errno;
  if (rename(source, target) != 0 && errno != ENOENT) return errno;
  return 0;
}

static void rotate_execute(napi_env env, void *data) {
  (void)env;
  file_job_t *job = data;
  size_t size = strlen(job->path) + 16;
  char *source = malloc(size), *target = malloc(size);
  if (source == NULL || target == NULL) {
    job->error = ENOMEM;
  } else {
    for (int i = job->backups - 1; i > 0 && job->error == 0; i--) {
      snprintf(source, size, "%s.%d", job->path, i);
      snprintf(target, size, "%s.%d", job->path, i + 1);
      if (path_exists(source)) job->error = remove_and_rename(source, target);
    }
    if (job->error == 0) {
      snprintf(target, size, "%s.1", job->path);
      job->error = remove_and_rename(job->path, target);
    }
  }
  free(source);
  free(target);
}

static napi_value js_rotate_files(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args(env, info, 3, argv)) return NULL;
  file_job_t *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM);
  job->path = string_of(env, argv[0]);
  napi_value name;
  if (job->path == NULL || napi_get_value_int32(env, argv[1], &job->backups) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &job->callback) != napi_ok ||
      napi_create_string_utf8(env, "supervisord:rotate", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, rotate_execute, job_complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    job_free(env, job);
    napi_throw_error(env, NULL, "native.node: could not queue the rotation");
    return NULL;
  }
  return NULL;
}

/* ---- pipe to file, natively ------------------------------------------------------------- */

static napi_value js_notify_reader(napi_env env, napi_callback_info info) {
  reader_t *r = (reader_t *)handle_of(env, info);
  if (r != NULL) r->notify = 1;
  return NULL;
}

/* supervisord's read size (2 << 16): the bytes are read and written while still in the cache. */
#define TRANSFER_CHUNK 131072
/* A job's most before it hands the thread back (other files wait for the threadpool too). */
#define TRANSFER_LIMIT (16 << 20)

enum { TRANSFER_EMPTY = 0, TRANSFER_MORE = 1, TRANSFER_FULL = 2, TRANSFER_END = 3 };

/* One buffer per threadpool thread, made on its first transfer and kept: the threads live as
   long as the process, and a pointer is all the thread-local storage an addon may count on. */
static __thread char *transfer_buffer;

typedef struct {
  napi_async_work work;
  napi_ref callback;
  reader_t *reader;
  int pipe_fd;
  int file_fd;
  long long stop_at;
  long long moved;
  long long position;
  int state;
  int read_error;
  int write_error;
} transfer_job_t;

static int write_all(int fd, const char *data, size_t length) {
  while (length > 0) {
    ssize_t n = write(fd, data, length);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    length -= (size_t)n;
  }
  return 0;
}

static void transfer_execute(napi_env env, void *data) {
  (void)env;
  transfer_job_t *job = data;
  if (transfer_buffer == NULL && (transfer_buffer = malloc(TRANSFER_CHUNK)) == NULL) {
    job->write_error = ENOMEM; /* nothing read: the pipe keeps it for the next job */
    job->state = TRANSFER_MORE;
    return;
  }
  for (;;) {
    ssize_t n = read(job->pipe_fd, transfer_buffer, TRANSFER_CHUNK);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        job->state = TRANSFER_EMPTY;
      } else {
        job->read_error = errno;
        job->state = TRANSFER_END;
      }
      return;
    }
    if (n == 0) {
      job->state = TRANSFER_END;
      return;
    }
    job->moved += n;
    if (job->file_fd >= 0) {
      job->write_error = write_all(job->file_fd, transfer_buffer, (size_t)n);
      off_t position = lseek(job->file_fd, 0, SEEK_END); /* what supervisord's tell() says */
      job->position = position < 0 ? -1 : (long long)position;
      if (job->write_error != 0) {
        job->state = TRANSFER_MORE; /* report it; what is left in the pipe goes in the next job */
        return;
      }
      if (job->stop_at > 0 && job->position >= job->stop_at) {
        job->state = TRANSFER_FULL;
        return;
      }
    }
    if (job->moved >= TRANSFER_LIMIT) {
      job->state = TRANSFER_MORE;
      return;
    }
  }
}

static void transfer_complete(napi_env env, napi_status status, void *data) {
  transfer_job_t *job = data;
  reader_t *r = job->reader;
  handle_t *h = &r->base;
  h->busy = 0;
  if (h->closing && h->fd >= 0) {
    /* closed while the job read it: the fd was left for now */
    close(h->fd);
    h->fd = -1;
  } else if (!h->closing && status == napi_ok && job->state == TRANSFER_END) {
    const char *name = job->read_error != 0 ? strerrorname_np(job->read_error) : NULL;
    reader_deliver_end(r, job->read_error != 0 ? (name != NULL ? name : "EIO") : NULL);
  }
  napi_value fn, recv, argv[4];
  if (napi_get_reference_value(env, job->callback, &fn) == napi_ok && fn != NULL) {
    napi_get_global(env, &recv);
    int error = status == napi_cancelled ? ECANCELED : job->write_error;
    if (error != 0) {
      const char *name = strerrorname_np(error);
      napi_create_string_utf8(env, name != NULL ? name : "EIO", NAPI_AUTO_LENGTH, &argv[0]);
    } else {
      napi_get_null(env, &argv[0]);
    }
    napi_create_double(env, (double)job->moved, &argv[1]);
    napi_create_double(env, (double)job->position, &argv[2]);
    napi_create_int32(env, status == napi_ok ? job->state : TRANSFER_MORE, &argv[3]);
    napi_call_function(env, recv, fn, 4, argv, NULL);
  }
  napi_delete_reference(env, job->callback);
  napi_delete_async_work(env, job->work);
  handle_release(h);
  free(job);
}

static napi_value js_transfer_reader(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args(env, info, 4, argv)) return NULL;
  void *data = NULL;
  int32_t file_fd = -1;
  double stop_at = 0;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || napi_get_value_int32(env, argv[1], &file_fd) != napi_ok ||
      napi_get_value_double(env, argv[2], &stop_at) != napi_ok) {
    napi_throw_type_error(env, NULL, "native.node: transferReader(reader, fileFd, stopAt, done)");
    return NULL;
  }
  reader_t *r = data;
  handle_t *h = &r->base;
  if (h->closing || h->busy || h->fd < 0) {
    napi_throw_error(env, NULL, "native.node: transfer from a closed or busy reader");
    return NULL;
  }
  transfer_job_t *job = calloc(1, sizeof *job);
  if (job == NULL) return throw_errno(env, ENOMEM);
  job->reader = r;
  job->pipe_fd = h->fd;
  job->file_fd = file_fd;
  job->stop_at = (long long)stop_at;
  job->position = -1;
  napi_value name;
  if (napi_create_reference(env, argv[3], 1, &job->callback) != napi_ok ||
      napi_create_string_utf8(env, "supervisord:transfer", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, transfer_execute, transfer_complete, job, &job->work) != napi_ok) {
    if (job->callback != NULL) napi_delete_reference(env, job->callback);
    free(job);
    napi_throw_error(env, NULL, "native.node: could not queue the transfer");
    return NULL;
  }
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    napi_delete_async_work(env, job->work);
    napi_delete_reference(env, job->callback);
    free(job);
    napi_throw_error(env, NULL, "native.node: could not queue the transfer");
    return NULL;
  }
  h->busy = 1;
  h->refs++;
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  /* Now, while few files are open, so that the spawn slots are low in the fd table. A failure
     here is retried, and reported, by the first spawn. */
  (void)spawn_child_init();
  napi_property_descriptor props[] = {
    {"pipe", NULL, js_pipe, NULL, NULL, NULL, napi_default, NULL},
    {"setPipeSize", NULL, js_set_pipe_size, NULL, NULL, NULL, napi_default, NULL},
    {"getrlimit", NULL, js_getrlimit, NULL, NULL, NULL, napi_default, NULL},
    {"setrlimit", NULL, js_setrlimit, NULL, NULL, NULL, napi_default, NULL},
    {"openlog", NULL, js_openlog, NULL, NULL, NULL, napi_default, NULL},
    {"syslog", NULL, js_syslog, NULL, NULL, NULL, napi_default, NULL},
    {"listenUnix", NULL, js_listen_unix, NULL, NULL, NULL, napi_default, NULL},
    {"listenTcp", NULL, js_listen_tcp, NULL, NULL, NULL, napi_default, NULL},
    {"spawn", NULL, js_spawn, NULL, NULL, NULL, napi_default, NULL},
    {"watchExit", NULL, js_watch_exit, NULL, NULL, NULL, napi_default, NULL},
    {"closeWatch", NULL, js_close_handle, NULL, NULL, NULL, napi_default, NULL},
    {"openReader", NULL, js_open_reader, NULL, NULL, NULL, napi_default, NULL},
    {"pauseReader", NULL, js_pause_reader, NULL, NULL, NULL, napi_default, NULL},
    {"resumeReader", NULL, js_resume_reader, NULL, NULL, NULL, napi_default, NULL},
    {"closeReader", NULL, js_close_handle, NULL, NULL, NULL, napi_default, NULL},
    {"notifyReader", NULL, js_notify_reader, NULL, NULL, NULL, napi_default, NULL},
    {"transferReader", NULL, js_transfer_reader, NULL, NULL, NULL, napi_default, NULL},
    {"appendBuffers", NULL, js_append_buffers, NULL, NULL, NULL, napi_default, NULL},
    {"rotateFiles", NULL, js_rotate_files, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
