"""Lab tests: they start real iosim processes.

The binary is build/test/iosim (the ASan/UBSan build, `make build/test/iosim`);
set IOSIM=/path/to/iosim to test another one. A missing binary is an error of
every test that needs it, not a skip: `make test` builds it first.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import iosim  # noqa: E402
import labtool  # noqa: E402


def pytest_report_header(config):
    return [f"iosim: {iosim.binary()}", f"shared: {iosim.shared_dir()}"]


@pytest.fixture(scope="session")
def iosim_bin():
    exe = iosim.binary()
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        pytest.fail(f"iosim binary not found or not executable: {exe} "
                    "(build it with `make build/test/iosim`, or set IOSIM=PATH)",
                    pytrace=False)
    return exe


@pytest.fixture(autouse=True)
def _need_binary(request):
    # Every lab test drives the binary; resolve it first so a missing build
    # is reported once per test with the reason, instead of as odd output.
    request.getfixturevalue("iosim_bin")


@pytest.fixture
def labs():
    """labs(TOPOLOGY, user=None) -> a labtool.Lab with a fresh tag and run
    directory; every lab made is taken down at the end, whatever happened."""
    made = []

    def make(topo, **kw):
        lab = labtool.Lab(topo, **kw)
        made.append(lab)
        return lab

    yield make
    for lab in made:
        lab.run("down", udp=True)
        if labtool.ROOT:
            lab.run("down")
        shutil.rmtree(lab.base, ignore_errors=True)
