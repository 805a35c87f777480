"""Runs the unittest cases of one e2e scenario file the way ctest expects.

Exit 0 when every case passed, 1 when one failed, SKIP_EXIT_CODE (77, the scenarios'
SKIP_RETURN_CODE) with the reason on stdout when the scenario cannot run here: a skip is always
reported as one, never as a pass. The whole file runs under a time limit (SIGALRM), so a hung case
fails and the lab's teardown still runs.
"""

import argparse
import signal
import sys
import unittest

from lab import SKIP_EXIT_CODE


class ScenarioTimeout(Exception):
    pass


def parse_paths(description, *names):
    parser = argparse.ArgumentParser(description=description)
    for name in names:
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("-k", dest="only", action="append", default=[],
                        help="run only the cases whose name contains this (repeatable)")
    return parser.parse_args()


def skip(reason):
    print(f"SKIPPED: {reason}")
    sys.exit(SKIP_EXIT_CODE)


def run(test_cases, time_limit_seconds, only=()):
    def expired(signum, frame):
        raise ScenarioTimeout(f"scenario exceeded {time_limit_seconds} s")

    signal.signal(signal.SIGALRM, expired)
    signal.alarm(time_limit_seconds)
    suite = unittest.TestSuite()
    loader = unittest.TestLoader()
    for case in test_cases:
        for test in loader.loadTestsFromTestCase(case):
            if not only or any(pattern in test.id() for pattern in only):
                suite.addTest(test)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    signal.alarm(0)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if failed:
        sys.exit(1)
    if passed == 0:
        skip("every case skipped: " + "; ".join(reason for _, reason in result.skipped))
    sys.exit(0)
