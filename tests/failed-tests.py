#!/usr/bin/env python3
"""Prints each failed test of the .trx files under a folder: its name, error message and first stack lines."""
import glob
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main(folder: str) -> None:
    failures = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.trx"), recursive=True)):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as error:
            print(f"(unreadable {path}: {error})")
            continue
        for result in root.iterfind(".//t:UnitTestResult", NS):
            if result.get("outcome") != "Failed":
                continue
            message = result.findtext(".//t:ErrorInfo/t:Message", default="", namespaces=NS).strip()
            stack = result.findtext(".//t:ErrorInfo/t:StackTrace", default="", namespaces=NS).strip()
            failures.append((result.get("testName"), message, stack))
    if not failures:
        return
    print(f"\n=== {len(failures)} failed test(s) ===")
    for name, message, stack in failures:
        print(f"\n--- {name}")
        print("\n".join(message.splitlines()[:25]))
        print("\n".join(stack.splitlines()[:8]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".artifacts/test-results")
