#include "signal-forward.h"

#include <signal.h>

#include "util.h"

static volatile sig_atomic_t forward_to;

static void forward(int sig)
{
        if (forward_to > 0)
                kill(forward_to, sig);
}

void signals_forward_to(pid_t pid, bool keep_winch)
{
        static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
        struct sigaction sa = { .sa_handler = forward };

        forward_to = pid;
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
                if (!(keep_winch && sigs[i] == SIGWINCH))
                        sigaction(sigs[i], &sa, NULL);
}

void signals_forward_stop(void)
{
        forward_to = 0;
}
