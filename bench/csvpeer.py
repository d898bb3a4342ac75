#!/usr/bin/env python3
"""The CSV peer of issue 15: Python's csv.reader (C) over every CSV file of
a bundle, touching every field of every row and nothing else.

    python3 bench/csvpeer.py BUNDLE_DIR

It prints the rows and fields it read, so that the work cannot be skipped;
bench/peers.sh times it beside `corefence check` on the same files.
"""
import csv
import os
import sys


def main():
    bundle = sys.argv[1]
    rows = fields = chars = 0
    for name in sorted(os.listdir(bundle)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(bundle, name), newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                rows += 1
                fields += len(row)
                for cell in row:
                    chars += len(cell)
    print(f"{rows} rows, {fields} fields, {chars} characters")


if __name__ == "__main__":
    main()
