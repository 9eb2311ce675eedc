"""Clause counts of the documents that ../shared/eval and ../shared/seeds hold both as a PDF and as text
(same file stem): the pipeline should cut both into about the same clauses (issue 2 asks for 15%).

    python bench/eval_pairs.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TOLERANCE = 0.15


def main() -> int:
    from analyzer.pipeline import Analyzer

    folders = [SHARED / "eval" / "docs", SHARED / "eval" / "extra", SHARED / "seeds"]
    by_stem: dict[tuple[Path, str], dict[str, Path]] = defaultdict(dict)
    for folder in folders:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            by_stem[(folder, path.stem)][path.suffix] = path
    analyzer = Analyzer()
    agree = total = 0
    for (_folder, stem), files in sorted(by_stem.items()):
        if ".pdf" not in files or len(files) < 2:
            continue
        pdf = len(analyzer.analyze(files[".pdf"]).clauses)
        for suffix, path in sorted(files.items()):
            if suffix == ".pdf":
                continue
            count = len(analyzer.analyze(path).clauses)
            ok = abs(count - pdf) <= TOLERANCE * max(count, pdf)
            agree += ok
            total += 1
            print(f"{'ok ' if ok else 'OFF'} {stem}{suffix}: {count} clauses, PDF {pdf}")
    if not total:
        print(f"no PDF/text pairs found under {SHARED}")
        return 0
    print(f"{agree}/{total} pairs within {TOLERANCE:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
