/* The subcommands main() dispatches to; each parses its own arguments and returns an exit status.
 */
#ifndef CC_COMMANDS_H
#define CC_COMMANDS_H

/* copenclose doctor [--json] [--btf FILE]: what this host allows (doctor.c). */
int doctor_main(int argc, char **argv);
/* copenclose resolve PATH-OR-PID: one JSON object naming the container (resolve_cmd.c). */
int resolve_main(int argc, char **argv);
/* copenclose top [OPTIONS]: a live per-container view (top.c). */
int top_main(int argc, char **argv);

/* copenclose gvisor-config SOCKET: runsc's --pod-init-config for --gvisor-socket SOCKET
   (gvisor_config.c). */
int gvisor_config_main(int argc, char **argv);
/* That configuration as JSON text into *out (free it): 0 or -ENOMEM. */
int gvisor_config_json(const char *socket_path, char **out);

#endif
