/**
 * What `echo_supervisord_conf` prints: a working config with every section and option shown,
 * the optional ones commented out with their defaults. Written for supervisord-ts; both our
 * reader and supervisord 4.2.5's accept it unchanged (compat-tests check this).
 */
export const SAMPLE_CONFIG = `; supervisord configuration (sample written by echo_supervisord_conf).
;
; Reading this file:
;  - A line starting with ";" or "#" is a comment.  After a value, a comment
;    needs a space before it: "startsecs=5 ; five seconds", not "startsecs=5;".
;    The same rule cuts "command=sh -c 'a ; b'" short at " ;", so write
;    commands with ";" only where no space precedes it.
;  - Values are taken literally: no quotes, no "~" or "$VAR" from a shell.
;    Use %(ENV_NAME)s for an environment variable and %(here)s for the
;    directory that holds this file.  Write a literal "%" as "%%".
;  - Quotes mean something only in environment= values (see below).
;
; The paths below are in /tmp so that the sample runs anywhere; move them
; somewhere permanent for real use (files in /tmp can be cleaned away, and
; supervisorctl cannot connect once the socket file is gone).

[unix_http_server]
file=/tmp/supervisor.sock   ; the socket supervisorctl and RPC clients use
;chmod=0700                 ; permissions of the socket file
;chown=nobody:nogroup       ; owner (and group) of the socket file
;username=user              ; require this user name (and the password below)
;password=123               ; plain text, or {SHA} and the SHA-1 hex digest

;[inet_http_server]         ; an HTTP server on a TCP port (off unless uncommented)
;port=127.0.0.1:9001        ; host:port, or *:port for every interface
;username=user              ; require this user name (and the password below)
;password=123               ; plain text, or {SHA} and the SHA-1 hex digest

[supervisord]
logfile=/tmp/supervisord.log ; the daemon's own log (default $CWD/supervisord.log)
logfile_maxbytes=50MB        ; rotate the log at this size; 0 never rotates
logfile_backups=10           ; rotated copies to keep; 0 keeps none
loglevel=info                ; critical, error, warn, info, debug, trace, blather
pidfile=/tmp/supervisord.pid ; the daemon's pid (default $CWD/supervisord.pid)
nodaemon=false               ; true stays in the foreground
silent=false                 ; true stops echoing the log to stdout in the foreground
minfds=1024                  ; file descriptors needed to start
minprocs=200                 ; processes needed to start
;umask=022                   ; umask of the daemon when it daemonizes
;user=supervisord            ; switch to this user at start (needs root)
;identifier=supervisor       ; this instance's name, used in AUTO log names
;directory=/tmp              ; change to this directory when daemonizing
;nocleanup=true              ; keep old AUTO child logs at start
;childlogdir=/tmp            ; where AUTO child logs go (default: the temp dir)
;strip_ansi=false            ; strip ANSI escape sequences from child output
;environment=KEY="value"     ; added to the environment of every program

; The RPC interface that supervisorctl and the web page use; keep this section.
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix:///tmp/supervisor.sock ; the same socket as in [unix_http_server]
;serverurl=http://127.0.0.1:9001      ; or the [inet_http_server]
;username=chris               ; as in the server section
;password=123                 ; as in the server section (plain text only)
;prompt=mysupervisor          ; the interactive prompt (default "supervisor")
;history_file=~/.sc_history   ; keep the interactive history in this file

; A program section: one [program:NAME] per program to run.  Every option
; except command has a default, shown here.
;[program:theprogramname]
;command=/bin/cat              ; the program and its arguments (relative names use PATH)
;process_name=%(program_name)s ; the process name; must include %(process_num)s when numprocs > 1
;numprocs=1                    ; how many copies to run
;numprocs_start=0              ; the first %(process_num)s
;directory=/tmp                ; change to this directory before starting
;umask=022                     ; the program's umask (default: the daemon's)
;priority=999                  ; lower starts first and stops last
;autostart=true                ; start when supervisord starts
;startsecs=1                   ; it must stay up this many seconds to count as started
;startretries=3                ; failed starts in a row before giving up (FATAL)
;autorestart=unexpected        ; restart when it exits: false, unexpected or true
;exitcodes=0                   ; exit codes that are "expected" for autorestart
;stopsignal=TERM               ; the signal that asks it to stop
;stopwaitsecs=10               ; then wait this long before SIGKILL
;stopasgroup=false             ; send the stop signal to its whole process group
;killasgroup=false             ; send SIGKILL to its whole process group
;user=chrism                   ; run as this user (needs root)
;redirect_stderr=true          ; put stderr into the stdout log
;stdout_logfile=/a/path        ; a file, NONE, or AUTO (a file in childlogdir)
;stdout_logfile_maxbytes=1MB   ; rotate at this size; 0 never rotates
;stdout_logfile_backups=10     ; rotated copies to keep
;stdout_capture_maxbytes=1MB   ; buffer for PROCESS_COMMUNICATION events; 0 is off
;stdout_events_enabled=false   ; emit PROCESS_LOG_STDOUT events
;stdout_syslog=false           ; also send stdout to syslog
;stderr_logfile=/a/path        ; as stdout_logfile
;stderr_logfile_maxbytes=1MB   ; as stdout_logfile_maxbytes
;stderr_logfile_backups=10     ; as stdout_logfile_backups
;stderr_capture_maxbytes=1MB   ; as stdout_capture_maxbytes
;stderr_events_enabled=false   ; emit PROCESS_LOG_STDERR events
;stderr_syslog=false           ; also send stderr to syslog
;environment=A="1",B="2"       ; added to the program's environment; quote the values
;serverurl=AUTO                ; SUPERVISOR_SERVER_URL given to the program

; An event listener pool: the program options above, plus these.
;[eventlistener:theeventlistenername]
;command=/bin/eventlistener    ; the listener program
;events=EVENT                  ; event types to receive, comma separated
;buffer_size=10                ; events queued for the pool before the oldest is dropped
;priority=-1                   ; listeners start before programs and stop after them
;process_name=%(program_name)s ; as for programs
;numprocs=1                    ; listeners in the pool
;autostart=true                ; as for programs
;autorestart=unexpected        ; as for programs
;stdout_logfile=/a/path        ; stdout carries the listener protocol: nothing is logged from it
;stderr_logfile=/a/path        ; as for programs
;environment=A="1",B="2"       ; as for programs

; A group: run several programs under one name (they no longer form their own).
;[group:thegroupname]
;programs=progname1,progname2  ; [program:x] or [fcgi-program:x] names
;priority=999                  ; lower starts first and stops last

; A FastCGI program: the program options above, plus a socket on stdin.
;[fcgi-program:thefcgiprogramname]
;command=/usr/bin/php-cgi      ; the FastCGI program
;socket=unix:///tmp/%(program_name)s.sock ; or tcp://127.0.0.1:9002
;socket_backlog=128            ; listen backlog (default: the system's SOMAXCONN)
;socket_owner=chrism           ; owner (and :group) of a unix socket
;socket_mode=0700              ; permissions of a unix socket
;numprocs=1                    ; processes sharing the socket

; Read more config files, relative to the directory of this file.
;[include]
;files = relative/directory/*.ini
`;
