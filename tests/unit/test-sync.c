/* The create/init sync protocol: messages, errors, and fds passed with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/sync.h"

struct fixture {
        int pair[2]; /* [0] sends, [1] receives */
        int a[2], b[2];
};

static int setup(void **state)
{
        static struct fixture f;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f.pair) < 0 || pipe(f.a) < 0 || pipe(f.b) < 0)
                return -1;
        *state = &f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        int all[] = { f->pair[0], f->pair[1], f->a[0], f->a[1], f->b[0], f->b[1] };

        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                close(all[i]);
        return 0;
}

/* After the senders' copies are closed, a pipe reads EOF only if no received copy is left open. */
static bool pipe_has_no_writer(int read_end)
{
        char c;

        fcntl(read_end, F_SETFL, O_NONBLOCK);
        return read(read_end, &c, 1) == 0;
}

/* Two pipes' write ends go over, close-on-exec; what is written to them comes out of the pipes. */
static void test_fds_arrive_and_work(void **state)
{
        struct fixture *f = *state;
        struct error err = { 0 };
        int got[SYNC_MAX_FDS];
        size_t n = 0;
        char buf[3] = { 0 };

        assert_int_equal(sync_send_fds(f->pair[0], SYNC_GO, (int[]){ f->a[1], f->b[1] }, 2, &err), 0);
        assert_int_equal(sync_expect_fds(f->pair[1], SYNC_GO, got, SYNC_MAX_FDS, &n, "peer", &err), 0);
        assert_int_equal(n, 2);
        assert_true(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
        assert_int_equal(write(got[0], "a", 1), 1);
        assert_int_equal(write(got[1], "b", 1), 1);
        assert_int_equal(read(f->a[0], buf, 1), 1);
        assert_int_equal(read(f->b[0], buf + 1, 1), 1);
        assert_string_equal(buf, "ab");
        close(got[0]);
        close(got[1]);
}

/* A message with no fds gives none. */
static void test_no_fds(void **state)
{
        struct fixture *f = *state;
        struct error err = { 0 };
        int got[SYNC_MAX_FDS];
        size_t n = 99;

        assert_int_equal(sync_send_fds(f->pair[0], SYNC_GO, NULL, 0, &err), 0);
        assert_int_equal(sync_expect_fds(f->pair[1], SYNC_GO, got, SYNC_MAX_FDS, &n, "peer", &err), 0);
        assert_int_equal(n, 0);
}

/* More fds than the receiver takes: an error, and none of them is left open. */
static void test_too_many_fds_are_closed(void **state)
{
        struct fixture *f = *state;
        struct error err = { 0 };
        int got[1];
        size_t n = 0;

        assert_int_equal(sync_send_fds(f->pair[0], SYNC_GO, (int[]){ f->a[1], f->a[1] }, 2, &err), 0);
        assert_true(sync_expect_fds(f->pair[1], SYNC_GO, got, 1, &n, "peer", &err) < 0);
        assert_non_null(strstr(err.msg, "more fds than 1 from peer"));
        close(f->a[1]);
        f->a[1] = -1;
        assert_true(pipe_has_no_writer(f->a[0]));
}

/* fds that come with a message the receiver did not expect, or to a plain sync_expect, are an error
 * and are closed. */
static void test_unwanted_fds_are_closed(void **state)
{
        struct fixture *f = *state;
        struct error err = { 0 };
        int got[SYNC_MAX_FDS], value = 0;
        size_t n = 0;

        assert_int_equal(sync_send_fds(f->pair[0], SYNC_READY, (int[]){ f->a[1] }, 1, &err), 0);
        assert_int_equal(sync_expect_fds(f->pair[1], SYNC_GO, got, SYNC_MAX_FDS, &n, "peer", &err), -EPROTO);
        assert_non_null(strstr(err.msg, "unexpected sync message"));
        assert_int_equal(sync_send_fds(f->pair[0], SYNC_GO, (int[]){ f->b[1] }, 1, &err), 0);
        assert_int_equal(sync_expect(f->pair[1], SYNC_GO, &value, "peer", &err), -EPROTO);
        assert_non_null(strstr(err.msg, "more fds than 0 from peer"));
        close(f->a[1]);
        close(f->b[1]);
        f->a[1] = f->b[1] = -1;
        assert_true(pipe_has_no_writer(f->a[0]));
        assert_true(pipe_has_no_writer(f->b[0]));
}

/* An error the peer sends becomes the receiver's error, with its code and message. */
static void test_error_passes(void **state)
{
        struct fixture *f = *state;
        struct error err = { 0 }, failure = { .code = ENOENT };

        strcpy(failure.msg, "process.cwd: chdir /x: No such file or directory");
        assert_int_equal(sync_send_error(f->pair[0], &failure), 0);
        assert_int_equal(sync_expect(f->pair[1], SYNC_GO, NULL, "peer", &err), -ENOENT);
        assert_string_equal(err.msg, failure.msg);
}

/* The peer's end closed: it "exited during setup". */
static void test_eof(void **state)
{
        struct fixture *f = *state;
        struct error err = { 0 };

        close(f->pair[0]);
        f->pair[0] = -1;
        assert_int_equal(sync_expect(f->pair[1], SYNC_GO, NULL, "the init", &err), -EPIPE);
        assert_string_equal(err.msg, "the init exited during setup");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_fds_arrive_and_work, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_fds, setup, teardown),
                cmocka_unit_test_setup_teardown(test_too_many_fds_are_closed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unwanted_fds_are_closed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_error_passes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_eof, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
