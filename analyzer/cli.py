"""The `clauses` command line.

Every failure is one line naming the file and the reason; no traceback reaches the
user. Exit codes: 0 all files read, 1 a --fail-on gate tripped, 2 usage errors or a
file that could not be read (the other files are still processed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from analyzer.errors import AnalyzerError

EXIT_OK, EXIT_GATE, EXIT_ERROR = 0, 1, 2
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}


def _error(message: str) -> None:
    print(f"clauses: {message}", file=sys.stderr)


def _read_failure(path: str, exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory (use `clauses audit` for folders)"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied"
    if isinstance(exc, MemoryError):
        return f"{path}: out of memory while reading"
    return f"{path}: {exc}"


def _output_path(out_dir: Path, source: Path, fmt: str, written: set[str]) -> Path:
    """DIR/<file name>.<fmt>; a second input with the same name gets "-2", "-3"... and a note."""
    name = f"{source.name}.{fmt}"
    counter = 1
    while name in written:
        counter += 1
        name = f"{source.name}-{counter}.{fmt}"
    if counter > 1:
        _error(f"{source}: another input has the same name; report written as {name}")
    written.add(name)
    return out_dir / name


def cmd_analyze(args: argparse.Namespace) -> int:
    from analyzer.pipeline import Analyzer
    from analyzer.report import BINARY_FORMATS, render

    analyzer = Analyzer()
    playbook = args.playbook if args.playbook and args.playbook != "auto" else None
    if playbook is not None:
        analyzer.playbook(playbook)  # a bad playbook is a usage error, before any file is read
    gate = SEVERITY_RANK.get(args.fail_on) if args.fail_on else None
    gate_tripped = False
    out_dir = Path(args.out) if args.out else None
    if out_dir is None and (len(args.files) > 1 and args.format == "json" or args.format in BINARY_FORMATS):
        _error("several JSON reports, or a DOCX report, need --out DIR")
        return EXIT_ERROR
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
    status = EXIT_OK
    written: set[str] = set()
    for file in args.files:
        try:
            data = Path(file).read_bytes()
            report = analyzer.analyze(data, file_name=Path(file).name, playbook=playbook)
        except (AnalyzerError, OSError, MemoryError, ValueError) as exc:
            _error(_read_failure(file, exc))
            status = EXIT_ERROR
            continue
        except Exception as exc:  # a bug: still one line, and the batch goes on
            _error(f"{file}: internal error ({type(exc).__name__}: {exc})")
            status = EXIT_ERROR
            continue
        if gate is not None and any(SEVERITY_RANK[f.severity] >= gate for f in report.findings):
            gate_tripped = True
        rendered = render(report, args.format, original=data)
        if out_dir is None:
            assert isinstance(rendered, str)
            sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
        else:
            target = _output_path(out_dir, Path(file), args.format, written)
            if isinstance(rendered, bytes):
                target.write_bytes(rendered)
            else:
                target.write_text(rendered, encoding="utf-8")
    if status == EXIT_OK and gate_tripped:
        _error(f"findings at or above severity {args.fail_on} (--fail-on)")
        return EXIT_GATE
    return status


def cmd_targets(args: argparse.Namespace) -> int:
    import csv
    import json

    from analyzer.pipeline import Analyzer

    analyzer = Analyzer()
    status = EXIT_OK
    fields = ["file", "clause_id", "metric", "comparator", "value", "unit", "normalized", "share", "channel",
              "priority", "period", "business_hours", "start", "end", "text"]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore") if args.format == "csv" else None
    if writer:
        writer.writeheader()
    for file in args.files:
        try:
            report = analyzer.analyze(Path(file))
        except (AnalyzerError, OSError, ValueError) as exc:
            _error(_read_failure(file, exc))
            status = EXIT_ERROR
            continue
        rows = [{"file": file, **t.model_dump()} for t in report.targets]
        if args.format == "json":
            for row in rows:
                print(json.dumps(row))
        elif writer:
            writer.writerows(rows)
        else:
            print(f"{file}: {len(rows)} targets")
            print(f"{'clause':7} {'metric':26} {'bound':5} {'value':>8} {'unit':14} {'channel':8} {'priority':10} "
                  f"{'period':18} text")
            for t in report.targets:
                value = "blank" if t.value is None else f"{t.value:g}"
                print(f"{t.clause_id or '':7} {t.metric:26} {t.comparator:5} {value:>8} {t.unit:14} "
                      f"{t.channel or '':8} {t.priority or '':10} {t.period or '':18} {t.text}")
    return status


def cmd_playbooks(args: argparse.Namespace) -> int:
    from analyzer.checks import builtin_names, load_playbook

    for name in builtin_names():
        playbook = load_playbook(name)
        print(f"{name:22} {len(playbook.rules):3} rules  {playbook.name}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from importlib import resources

    sys.stdout.write(resources.files("analyzer.schema").joinpath("report.schema.json").read_text(encoding="utf-8"))
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from analyzer.classify.model import default_model_dir
    from analyzer.classify.train import CANDIDATES, train

    corpus = Path(args.corpus) if args.corpus else default_model_dir().parent / "corpora" / "clauses"
    out = Path(args.out) if args.out else default_model_dir()
    candidates = args.candidates.split(",") if args.candidates else None
    unknown = [c for c in candidates or [] if c not in CANDIDATES]
    if unknown:
        _error(f"unknown candidate model(s) {unknown}; choose from {sorted(CANDIDATES)}")
        return EXIT_ERROR
    train(corpus, out, candidates, log=lambda msg: print(msg, file=sys.stderr), compare_spacy=args.compare_spacy)
    return EXIT_OK


def cmd_classify(args: argparse.Namespace) -> int:
    import json

    from analyzer.classify.model import ClauseClassifier

    records = []
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            _error(f"stdin line {number}: not JSON ({exc.msg})")
            return EXIT_ERROR
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            _error(f"stdin line {number}: expected an object with a string \"text\"")
            return EXIT_ERROR
        heading = record.get("heading")
        records.append((record["text"], heading if isinstance(heading, str) else None))
    if not records:
        _error("no input: give JSON lines {\"text\": ..., \"heading\": ...} on stdin")
        return EXIT_ERROR
    classifier = ClauseClassifier.load(Path(args.model) if args.model else None)
    out = sys.stdout
    batch = 2048
    for i in range(0, len(records), batch):
        chunk = records[i : i + batch]
        for prediction in classifier.predict([t for t, _ in chunk], [h for _, h in chunk]):
            out.write(json.dumps({"labels": prediction.labels, "scores": prediction.scores}) + "\n")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from analyzer.audit.runner import run_audit_command

    return run_audit_command(args)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from service.server import serve
    except ImportError as exc:
        _error(f"the service needs its extras: pip install 'clause-analyzer[service]' ({exc})")
        return EXIT_ERROR
    return serve(host=args.host, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clauses", description="Analyze service agreements clause by clause.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyze agreements and write reports")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["json", "md", "html", "docx"], default="json")
    p.add_argument("--out", metavar="DIR", help="write DIR/<file name>.<format> for each input")
    p.add_argument("--playbook", metavar="NAME|PATH", help="built-in playbook name or YAML file (default: auto)")
    p.add_argument("--fail-on", choices=["high", "medium", "low"],
                   help="exit 1 when a finding at or above this severity exists (a gate for pipelines)")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("targets", help="print the numeric targets of agreements")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("playbooks", help="list the built-in playbooks")
    p.set_defaults(func=cmd_playbooks)

    p = sub.add_parser("audit", help="batch-audit folders, zips or globs of agreements (Dask)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="folders (recursive), zip files or globs")
    p.add_argument("--out", metavar="DIR", required=True, help="where reports, summaries and the dashboard go")
    p.add_argument("--playbook", metavar="NAME|PATH", help="built-in playbook name or YAML file (default: auto)")
    p.add_argument("--workers", type=int, help="local Dask workers (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--resume", action="store_true", help="skip documents already done in DIR")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per document (default 120; 0 = no limit)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("serve", help="run the web service and upload page")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("schema", help="print the JSON Schema of the report")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("train", help="train the clause classifier on a labeled JSONL corpus")
    p.add_argument("--corpus", metavar="PATH", help="JSONL file or folder of them (default: corpora/clauses)")
    p.add_argument("--out", metavar="DIR", help="where to write the model (default: models/)")
    p.add_argument("--candidates", help="comma-separated candidate models to compare (default: all)")
    p.add_argument("--compare-spacy", action="store_true",
                   help="also train and measure a spaCy textcat_multilabel pipeline (adds about a minute)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("classify", help="label JSON lines {text, heading} from stdin")
    p.add_argument("--model", metavar="DIR", help="model folder (default: models/)")
    p.set_defaults(func=cmd_classify)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from analyzer import __version__

        print(__version__)
        return EXIT_OK
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        return func(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except AnalyzerError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
