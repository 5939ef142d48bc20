#!/usr/bin/env python3
"""run.py — run vane's end-to-end tests against a real binary.

    python3 tests/e2e/run.py --bin bin/vane [-k PATTERN]... [-v]

Discovers tests/e2e/test_*.py, hands the binary to them through $VANE_BIN and
prints as its last line exactly

    e2e: N passed, N failed[, N skipped]

(failed counts failures and errors). Exits 1 if any test failed, 0 otherwise.
"""

import argparse
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    ap = argparse.ArgumentParser(description="vane end-to-end tests")
    ap.add_argument("--bin", required=True, help="the vane binary to test")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only tests whose name contains this (repeatable)")
    ap.add_argument("-q", "--quiet", action="store_true", help="dots, not names")
    args = ap.parse_args(argv)

    binary = os.path.abspath(args.bin)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("e2e: %s is not an executable file" % args.bin)
        print("e2e: 0 passed, 1 failed")
        return 1
    os.environ["VANE_BIN"] = binary

    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*%s*" % p for p in args.patterns]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)

    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=1 if args.quiet else 2,
                                     buffer=False)
    start = time.monotonic()
    result = runner.run(suite)
    sys.stdout.flush()

    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    if result.testsRun == 0:
        print("e2e: no tests found in %s" % HERE)
        failed = 1
    line = "e2e: %d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print("(%.1f s)" % (time.monotonic() - start))
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
