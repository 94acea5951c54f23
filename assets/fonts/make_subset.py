#!/usr/bin/env python3
"""Rebuilds wqy-microhei-subset.ttf from Debian's fonts-wqy-microhei package.

    apt-get download fonts-wqy-microhei && dpkg-deb -x fonts-wqy-microhei_*_all.deb x
    pip install fonttools
    python3 make_subset.py x/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

The character set is written to subset-chars.txt (sorted, UTF-8) and kept in the repository, so
the subset can be remade without the project's sources; pass --chars subset-chars.txt to reuse it.
"""
import argparse
import glob
import os
import subprocess

RANGES = [
    (0x20, 0x7F),      # ASCII
    (0xA0, 0x180),     # Latin-1, Latin Extended-A (OpenStreetMap names abroad)
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x21FF),  # letterlike symbols, number forms, arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0x25A0, 0x25FF),  # geometric shapes
    (0x3000, 0x3040),  # CJK symbols and punctuation
    (0xFF00, 0xFFF0),  # full-width forms
]


def charset(extra_files):
    chars = set()
    # Every character of GB 2312 (6,763 hanzi and its symbols): rows A1-F7, cells A1-FE.
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lo, hi in RANGES:
        chars.update(chr(u) for u in range(lo, hi))
    # Characters of the project's own data and code (place names outside GB 2312, such as 㟓).
    for f in extra_files:
        try:
            text = open(f, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        chars.update(c for c in text if ord(c) >= 0x2E80)
    return chars


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ttc")
    ap.add_argument("--chars", help="reuse this character list instead of building one")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    if args.chars:
        chars_file = args.chars
    else:
        files = glob.glob(os.path.join(root, "src/**/*.rs"), recursive=True)
        files += glob.glob(os.path.join(root, "data/**/*"), recursive=True)
        files += glob.glob(os.path.join(root, "../shared/data/cn-admin/*"))
        chars = charset(f for f in files if os.path.isfile(f))
        chars_file = os.path.join(here, "subset-chars.txt")
        with open(chars_file, "w", encoding="utf-8") as out:
            out.write("".join(sorted(chars)))
    subprocess.run(
        [
            "pyftsubset", args.ttc, "--font-number=0",
            f"--text-file={chars_file}",
            f"--output-file={os.path.join(here, 'wqy-microhei-subset.ttf')}",
            "--no-hinting", "--desubroutinize", "--layout-features=kern",
            "--name-IDs=*", "--name-languages=*", "--notdef-outline",
        ],
        check=True,
    )


if __name__ == "__main__":
    main()
