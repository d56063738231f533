"""Runs the DfE reference validator (``csc-validator-be-cin``) on census files and prints, as
JSON, the children each rule flags: ``{file: {rule_code: [LAchildID, ...] or ["(return)"]}}``.

It runs in its own environment (``scripts/reference_env.sh`` makes it); cinscope's test
``tests/python/test_census_reference.py`` calls it and compares with our findings.
"""

import json
import sys
import xml.etree.ElementTree as ET

from cin_validator.cin_validator import CinValidator, convert_data, process_data
from cin_validator.rules.cin2025_26 import registry


def findings(path: str) -> dict[str, list[str]]:
    root = ET.parse(path).getroot()
    data = process_data(convert_data(root))
    result = CinValidator(data, registry)
    out: dict[str, set[str]] = {}
    issues = result.full_issue_df
    if len(issues):
        for code, child in zip(issues["rule_code"], issues["child_id"]):
            out.setdefault(str(code), set()).add(str(child))
    for code in result.multichild_issues["rule_code"]:
        out.setdefault(str(code), set()).add("(return)")
    return {k: sorted(v) for k, v in out.items()}


if __name__ == "__main__":
    print(json.dumps({p: findings(p) for p in sys.argv[1:]}))
