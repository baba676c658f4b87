"""List the packages whose pinned version in the lock files is not the newest one.

    make outdated        (runs: python3 tools/outdated.py UV)

Two lists: what `make lock UPGRADE=1` would move to (the newest versions the ranges in
pyproject.toml allow), then the direct dependencies whose newest release lies beyond their
range (resolved with the ranges left out), which need the range widened first. It only reads: nothing is changed,
and it exits 0 whatever it finds, so that a scheduled run reports without failing.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"requirements.lock": [], "requirements-test.lock": ["--extra", "test"]}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", re.M)


def pins(text: str) -> dict[str, str]:
    return {name.lower().replace("_", "-"): version for name, version in PIN.findall(text)}


def newest_within_ranges(uv: str, extra: list[str]) -> dict[str, str]:
    done = subprocess.run([uv, "pip", "compile", "pyproject.toml", *extra, "--universal", "--python-version",
                           "3.11", "--upgrade", "--quiet", "--no-header", "--no-annotate"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return pins(done.stdout)


def direct_dependencies() -> list[str]:
    """The requirements of pyproject.toml (runtime and test), without their version ranges."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return [re.split(r"[<>=!~;\s]", requirement, maxsplit=1)[0] for requirement in requirements]


def newest_beyond_ranges(uv: str) -> dict[str, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".in", encoding="utf-8") as unbounded:
        unbounded.write("\n".join(direct_dependencies()) + "\n")
        unbounded.flush()
        done = subprocess.run([uv, "pip", "compile", unbounded.name, "--python-version", "3.11", "--quiet",
                               "--no-header", "--no-annotate"], capture_output=True, text=True, check=True)
    return pins(done.stdout)


def main(uv: str) -> int:
    locked: dict[str, str] = {}
    for lock, extra in LOCKS.items():
        current = pins((ROOT / lock).read_text(encoding="utf-8"))
        locked.update(current)
        newer = newest_within_ranges(uv, extra)
        moves = sorted((name, version, newer[name]) for name, version in current.items()
                       if name in newer and newer[name] != version)
        print(f"{lock}: {len(moves)} package(s) have a newer version within the ranges of pyproject.toml"
              + (" (make lock UPGRADE=1)" if moves else ""))
        for name, old, new in moves:
            print(f"  {name} {old} -> {new}")
    unbounded = newest_beyond_ranges(uv)
    direct = {re.sub(r"\[.*", "", name).lower().replace("_", "-") for name in direct_dependencies()}
    beyond = sorted((name, locked[name], unbounded[name]) for name in direct
                    if name in locked and name in unbounded and unbounded[name] != locked[name])
    print(f"Direct dependencies with a newer release when the ranges are left out: {len(beyond)}"
          + (" (widen the range in pyproject.toml, then make lock)" if beyond else ""))
    for name, old, new in beyond:
        print(f"  {name} {old} -> {new}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "uv"))
