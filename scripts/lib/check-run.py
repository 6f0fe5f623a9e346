#!/usr/bin/env python3
"""Did a ctest run run everything it should, and pass it all?

    check-run.py RESULTS.xml DEFINED [SCRIPTS_DIR]

RESULTS.xml is ctest's --output-junit; DEFINED the number of tests the
build defines for that selection (ctest -N). Fails (exit 1, saying what)
when fewer ran than are defined, when any was skipped or not run, and,
with SCRIPTS_DIR, when an integration script there has no passed it.NAME
test (a test dropped from CMake, or a build without the UNIFIED FSAL).
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def main(results, defined, scripts=None):
    cases = ET.parse(results).getroot().iter("testcase")
    status = {c.get("name"): c.get("status", "run") for c in cases}
    problems = []
    if len(status) != int(defined):
        problems.append(f"{len(status)} tests ran, {defined} are defined")
    for name, st in sorted(status.items()):
        if st not in ("run", "fail"):
            problems.append(f"{name}: {st}")
    if scripts:
        for sh in sorted(pathlib.Path(scripts).glob("*.sh")):
            if sh.stem.endswith("_lib"):
                continue
            name = f"it.{sh.stem}"
            if status.get(name) != "run":
                problems.append(f"{name}: {status.get(name, 'missing')}")
    for p in problems:
        print(f"check-run: {p}")
    print(f"check-run: {len(status)} of {defined} defined tests ran"
          + (", none skipped or missing" if not problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
