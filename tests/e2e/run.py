#!/usr/bin/env python3
"""run.py — run vane's end-to-end tests against a real binary.

    python3 tests/e2e/run.py --bin bin/vane [--store sqlite|postgresql] [-k PATTERN]... [-q]

Discovers tests/e2e/test_*.py, hands the binary to them through $VANE_BIN and
prints as its last line exactly

    e2e: N passed, N failed[, N skipped]                 (--store sqlite, the default)
    e2e (postgresql): N passed, N failed[, N skipped]    (--store postgresql)

(failed counts failures and errors). Exits 1 if any test failed, 0 otherwise.

With --store postgresql one throw-away PostgreSQL cluster (pg.py) serves the
whole run: the tests learn where it is from $VANE_TEST_STORE=postgresql and
$VANE_TEST_PG_SOCKET (its socket's folder), each monitor makes a database of
its own in it, and the cluster is stopped and removed at the end, on failure
and on Ctrl-C or SIGTERM too.
"""

import argparse
import os
import signal
import sys
import time
import unittest

import pg

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    ap = argparse.ArgumentParser(description="vane end-to-end tests")
    ap.add_argument("--bin", required=True, help="the vane binary to test")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only tests whose name contains this (repeatable)")
    ap.add_argument("-q", "--quiet", action="store_true", help="dots, not names")
    ap.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                    help="where the monitors keep their history (default sqlite)")
    args = ap.parse_args(argv)
    label = "e2e" if args.store == "sqlite" else "e2e (%s)" % args.store

    binary = os.path.abspath(args.bin)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("%s: %s is not an executable file" % (label, args.bin))
        print("%s: 0 passed, 1 failed" % label)
        return 1
    os.environ["VANE_BIN"] = binary
    if args.store == "sqlite":
        os.environ.pop("VANE_TEST_STORE", None)
        os.environ.pop("VANE_TEST_PG_SOCKET", None)
        return run_suite(args, label)
    return run_on_postgresql(args, label)


STOPPED = []     # the signals that asked the run to stop


def interrupted(signum, frame):
    """Ctrl-C and SIGTERM (a CI stop, timeout(1)) unwind through the finally
    that stops the cluster. Noted too, because unittest's discovery turns an
    exception while importing a test file into a failed test and goes on."""
    STOPPED.append(signum)
    raise KeyboardInterrupt()


def check_stopped():
    if STOPPED:
        raise KeyboardInterrupt()


def run_on_postgresql(args, label):
    """The suite with one PostgreSQL cluster for all its monitors."""
    ok, why = pg.available()
    if not ok:
        print("%s: %s" % (label, why))
        print("%s: 0 passed, 1 failed" % label)
        return 1
    signal.signal(signal.SIGTERM, interrupted)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, interrupted)
    cluster = pg.PgCluster()
    try:
        try:
            cluster.start()
        except pg.PgError as e:
            print("%s: could not start PostgreSQL: %s" % (label, e))
            print("%s: 0 passed, 1 failed" % label)
            return 1
        os.environ["VANE_TEST_STORE"] = "postgresql"
        os.environ["VANE_TEST_PG_SOCKET"] = cluster.dir
        return run_suite(args, label)
    except KeyboardInterrupt:
        print("\n%s: interrupted" % label)
        return 128 + (STOPPED[0] if STOPPED else signal.SIGINT)
    finally:
        cluster.stop()


def run_suite(args, label):
    """Discover and run the tests; prints the summary line labelled `label`."""
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*%s*" % p for p in args.patterns]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    check_stopped()

    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=1 if args.quiet else 2,
                                     buffer=False)
    start = time.monotonic()
    result = runner.run(suite)
    sys.stdout.flush()
    check_stopped()

    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    if result.testsRun == 0:
        print("%s: no tests found in %s" % (label, HERE))
        failed = 1
    line = "%s: %d passed, %d failed" % (label, passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print("(%.1f s)" % (time.monotonic() - start))
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
