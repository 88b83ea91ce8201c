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
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#include <node_api.h>

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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"pipe", NULL, js_pipe, NULL, NULL, NULL, napi_default, NULL},
    {"setPipeSize", NULL, js_set_pipe_size, NULL, NULL, NULL, napi_default, NULL},
    {"getrlimit", NULL, js_getrlimit, NULL, NULL, NULL, napi_default, NULL},
    {"setrlimit", NULL, js_setrlimit, NULL, NULL, NULL, napi_default, NULL},
    {"openlog", NULL, js_openlog, NULL, NULL, NULL, napi_default, NULL},
    {"syslog", NULL, js_syslog, NULL, NULL, NULL, napi_default, NULL},
    {"listenUnix", NULL, js_listen_unix, NULL, NULL, NULL, napi_default, NULL},
    {"listenTcp", NULL, js_listen_tcp, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
