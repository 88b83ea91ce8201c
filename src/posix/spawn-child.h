/* Starting a program as supervisord's child does (spawn-child.c). */
#ifndef SPAWN_CHILD_H
#define SPAWN_CHILD_H
#include <stddef.h>
#include <sys/types.h>

typedef struct {
  const char *path;          /* the executable, resolved */
  char *const *argv;         /* argv[0] as written in the config, then the arguments */
  char *const *envp;         /* the whole environment */
  int fds[3];                /* this process's fds to become the child's 0, 1 and 2 */
  const char *cwd;           /* NULL: the daemon's */
  int has_umask;
  mode_t umask;
  int has_uid;
  uid_t uid;
  int user_known;            /* the uid has a passwd entry: gid and groups are its */
  gid_t gid;
  const gid_t *groups;
  size_t group_count;
  int has_nofile;
  unsigned long long nofile; /* the soft RLIMIT_NOFILE (at most the hard one) */
  long max_fd;               /* one past the highest fd that may be open (kernels before 5.9) */
} spawn_request_t;

/* Open the slots and the child's stack (done by the first spawn otherwise): 0 or -errno. */
int spawn_child_init(void);

/* Start the program; its pid, or -errno when no child was started (EAGAIN, ENOMEM, ...). A step
   that fails in the child is the child's to report (see spawn-child.c). One thread only. */
pid_t spawn_program(const spawn_request_t *req);

#endif
