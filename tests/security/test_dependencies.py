"""Dependencies: no pinned package has a known vulnerability (when an advisory database is reachable)."""

import json
import subprocess
import sys

import pytest

from tests.support import services
from tests.support.paths import ROOT

AUDIT_TIMEOUT = 120
# Where pip-audit looks packages up (its default vulnerability service).
ADVISORY_DATABASE = "PyPI's vulnerability API (pypi.org)"
# Signs in pip-audit's output that the advisory service could not be reached (no network).
NETWORK_FAILURES = ("ConnectionError", "Max retries exceeded", "NameResolutionError", "Temporary failure", "timed out")


def test_pinned_requirements_have_no_known_vulnerabilities():
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "-r",
        "requirements.txt",
        "--no-deps",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "-f",
        "json",
    ]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=AUDIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        services.service_missing(
            "The advisory database", ADVISORY_DATABASE, f"pip-audit got no answer in {AUDIT_TIMEOUT}s"
        )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        if any(sign in result.stderr for sign in NETWORK_FAILURES):
            services.service_missing(
                "The advisory database", ADVISORY_DATABASE, "pip-audit: " + result.stderr.strip().splitlines()[-1]
            )
        pytest.fail(f"pip-audit failed (exit {result.returncode}):\n{result.stderr[-2000:]}")
    vulnerable = [
        f"{dependency['name']}=={dependency['version']}: "
        + ", ".join(
            f"{vuln['id']} (fixed in {', '.join(vuln.get('fix_versions') or ['no release yet'])})"
            for vuln in dependency["vulns"]
        )
        for dependency in report["dependencies"]
        if dependency.get("vulns")
    ]
    assert report["dependencies"], "pip-audit checked no package"
    assert not vulnerable, "known-vulnerable pinned packages:\n" + "\n".join(vulnerable)
