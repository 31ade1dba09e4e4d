"""Checks a JUnit file against what the Jenkins xunit plugin's junit-10.xsd
allows: each element where it may stand, with the attributes it may have
(the required ones present), and `time` in its pattern. Exits 1 with what
is wrong.

    junit_schema_check.py run.xml
"""
import re
import sys
import xml.etree.ElementTree as ET

# element: (allowed children, allowed attributes, required attributes)
RESULT = ({"#text"}, {"type", "message"}, set())
SCHEMA = {
    "testsuites": ({"testsuite"}, {"name", "time", "tests", "failures", "errors"}, set()),
    "testsuite": ({"testsuite", "properties", "testcase", "system-out", "system-err"},
                  {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname", "id",
                   "package", "file", "log", "url"},
                  {"name", "tests", "failures", "errors"}),
    "properties": ({"property"}, set(), set()),
    "property": (set(), {"name", "value"}, {"name", "value"}),
    "testcase": ({"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError",
                  "system-out", "system-err"}, {"name", "time", "classname", "group"}, {"name"}),
    "failure": RESULT, "error": RESULT, "skipped": RESULT,
    "system-out": ({"#text"}, set(), set()), "system-err": ({"#text"}, set(), set()),
}
TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")
problems = []


def check(element, path):
    allowed_children, allowed, required = SCHEMA[element.tag]
    for name in element.attrib:
        if name not in allowed:
            problems.append(f"{path}: attribute `{name}` is not allowed on <{element.tag}>")
    for name in required - set(element.attrib):
        problems.append(f"{path}: <{element.tag}> lacks the required `{name}`")
    if element.tag in ("testsuites", "testsuite") and "time" in element.attrib:
        if not TIME.fullmatch(element.attrib["time"]):
            problems.append(f"{path}: time `{element.attrib['time']}` is not a SUREFIRE_TIME")
    if (element.text or "").strip() and "#text" not in allowed_children:
        problems.append(f"{path}: <{element.tag}> holds text")
    for child in element:
        if child.tag not in allowed_children or child.tag not in SCHEMA:
            problems.append(f"{path}: <{child.tag}> may not stand in <{element.tag}>")
            continue
        check(child, f"{path}/{child.tag}")


root = ET.parse(sys.argv[1]).getroot()  # raises on XML that is not well-formed
if root.tag not in ("testsuites", "testsuite"):
    problems.append(f"the root is <{root.tag}>")
else:
    check(root, root.tag)
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
