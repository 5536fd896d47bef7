#!/usr/bin/env python3
"""Checks that every README.md code block marked `<!-- file: PATH -->` is exactly PATH's text."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
readme = (root / "README.md").read_text()
blocks = re.findall(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", readme, flags=re.S)
if not blocks:
    sys.exit("check-readme: no marked examples found in README.md")
failed = [path for path, code in blocks if (root / path).read_text() != code]
for path in failed:
    print(f"check-readme: README.md's copy of {path} differs from the file")
if failed:
    sys.exit(1)
print(f"check-readme: {len(blocks)} README examples match their files")
