/* placeholder until the daemon life cycle lands */
#include <stdio.h>
#include "daemon.h"
#include "conf.h"
int
DAEMON_Main(struct conf *conf, const char *conffile, int foreground)
{
	(void)conffile; (void)foreground;
	CONF_Rel(&conf);
	fprintf(stderr, "frontd: not implemented yet\n");
	return (1);
}
