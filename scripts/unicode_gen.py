"""What the Unicode table generators (gen-unicode-table.py, gen-unicode-case.py) share: the
Unicode version they must run with, code-point ranges of a property, and the TypeScript layout."""

import sys
import unicodedata

# Python 3.11 ships Unicode 14.0.0; flytekit's answers follow the Python that runs it.
EXPECTED_UNIDATA = "14.0.0"


def check_unidata():
    if unicodedata.unidata_version != EXPECTED_UNIDATA:
        sys.exit(f"unicodedata is {unicodedata.unidata_version}, expected {EXPECTED_UNIDATA}: run this with Python 3.11")


def ranges(pred):
    """Inclusive (first, last) runs of the code points for which pred holds, ascending."""
    out = []
    start = None
    for cp in range(0x110000):
        if pred(cp):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return out


def wrap(nums, per_line=8):
    return "\n".join("  " + ", ".join(nums[i : i + per_line]) + "," for i in range(0, len(nums), per_line))
