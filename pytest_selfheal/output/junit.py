"""One `<property name="selfheal_run">` per failing test case in the --junitxml file.

Healing is not a test result: outcomes, messages and counts stay as pytest wrote them; the
property only points a CI reader at the run directory. Applied after pytest wrote the file,
and only when a run directory exists.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

PROPERTY = "selfheal_run"


def xml_file(xmlpath: str, invocation_dir: Path) -> Path:
    """The file pytest's junitxml plugin wrote for `--junitxml=xmlpath`."""
    return invocation_dir / os.path.expanduser(os.path.expandvars(xmlpath))


def annotate(path: Path, run_dir: Path, rootdir: Path) -> int:
    """Add the property to each failed or errored test case; returns how many were annotated."""
    try:
        tree = ET.parse(path)
    except (OSError, ET.ParseError):
        return 0  # no file, or not one pytest wrote: leave it alone
    try:
        value = run_dir.relative_to(rootdir).as_posix()
    except ValueError:
        value = str(run_dir)
    count = 0
    for case in tree.iter("testcase"):
        if case.find("failure") is None and case.find("error") is None:
            continue
        properties = case.find("properties")
        if properties is None:
            properties = ET.Element("properties")
            case.insert(0, properties)
        ET.SubElement(properties, "property", name=PROPERTY, value=value)
        count += 1
    if count:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    return count
