"""Enumerate an audit's inputs: folders (recursive), zip files and globs, mixing every supported format.

Each document becomes a `Source` whose `path` is its id and the place of its report: relative to the
folder (or the glob's fixed prefix) it was found under; a zip's members sit under a folder named after
the zip. Zips are read in place, never extracted; a zip bomb or a corrupt zip becomes a `Source` with an
`error` (a failed row). Hidden files, Office lock files and unsupported names are skipped quietly.
"""

from __future__ import annotations

import glob
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analyzer.ingest import EXTENSIONS
from analyzer.ingest.limits import DEFAULT_LIMITS

ZIP_SUFFIX = ".zip"


@dataclass(frozen=True)
class ZipLimits:
    """What a zip may hold before it is refused as a bomb. Ratios count only past `ratio_floor` bytes."""

    max_entries: int = 50_000
    max_total_bytes: int = 16 * 1024**3
    max_member_bytes: int = DEFAULT_LIMITS.max_bytes
    max_ratio: float = DEFAULT_LIMITS.max_compression_ratio
    ratio_floor: int = 1024 * 1024


@dataclass(frozen=True)
class Source:
    path: str  # posix, relative: the document's id and its report's place
    origin: str  # absolute file system path of the file, or of the zip holding it
    member: str | None = None  # zip member name
    size: int = 0
    fingerprint: str = ""
    error: str | None = None  # refused before reading (zip bomb, corrupt zip, too large)

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix.lower()


@dataclass
class Inventory:
    sources: list[Source] = field(default_factory=list)
    skipped: int = 0  # unsupported names, skipped quietly
    unmatched: list[str] = field(default_factory=list)  # arguments that named nothing
    renamed: list[str] = field(default_factory=list)  # paths that collided and got a suffix


class SourceError(Exception):
    """A document could not be read from its file or zip (one line)."""


def supported(name: str) -> bool:
    base = PurePosixPath(name).name
    return PurePosixPath(base).suffix.lower() in EXTENSIONS and not base.startswith((".", "~$"))


def safe_member_path(name: str) -> str | None:
    """A zip member name as a relative posix path that cannot escape its folder (None: nothing left)."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":  # "C:" drive prefix
        parts = parts[1:]
    return "/".join(parts) or None


def enumerate_sources(args: list[str], exclude: Path | None = None, limits: ZipLimits | None = None) -> Inventory:
    """Every document named by `args`, in argument order, each file once."""
    limits = limits or ZipLimits()
    inventory = Inventory()
    excluded = exclude.resolve() if exclude else None
    found: list[Source] = []
    for arg in args:
        before = len(found) + inventory.skipped
        for base, file in _expand(arg, excluded):
            rel = file.relative_to(base).as_posix() if base != file else file.name
            found.extend(_sources_of(file, rel, limits, inventory, explicit=base == file))
        if len(found) + inventory.skipped == before:
            inventory.unmatched.append(arg)
    seen_origin: set[tuple[str, str | None]] = set()
    taken: set[str] = set()
    for source in found:
        if (source.origin, source.member) in seen_origin:
            continue  # the same file named twice (a folder and a glob over it)
        seen_origin.add((source.origin, source.member))
        path = source.path
        if path in taken:
            path = _unique(path, taken)
            inventory.renamed.append(f"{source.path} -> {path}")
            source = Source(path, source.origin, source.member, source.size, source.fingerprint, source.error)
        taken.add(path)
        inventory.sources.append(source)
    return inventory


def _unique(path: str, taken: set[str]) -> str:
    p = PurePosixPath(path)
    n = 2
    while (candidate := str(p.with_name(f"{p.stem}~{n}{p.suffix}"))) in taken:
        n += 1
    return candidate


def _expand(arg: str, excluded: Path | None) -> list[tuple[Path, Path]]:
    """(base, file) pairs: `file` is reported relative to `base` (base == file: a file named directly)."""
    path = Path(arg)
    if path.is_dir():
        return [(path, f) for f in _walk(path, excluded)]
    if path.exists() or not glob.has_magic(arg):
        return [(path, path)] if path.exists() else []
    base = _glob_base(arg)
    out: list[tuple[Path, Path]] = []
    for match in sorted(glob.glob(arg, recursive=True)):
        m = Path(match)
        if m.is_dir():
            out.extend((base, f) for f in _walk(m, excluded))
        elif not _under(m, excluded) and not m.name.startswith((".", "~$")):
            out.append((base, m))
    return out


def _glob_base(pattern: str) -> Path:
    fixed = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _under(path: Path, excluded: Path | None) -> bool:
    return excluded is not None and path.resolve().is_relative_to(excluded)


def _walk(root: Path, excluded: Path | None) -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _under(here / d, excluded))
        files.extend(here / n for n in sorted(names) if not n.startswith((".", "~$")))
    return files


def _sources_of(file: Path, rel: str, limits: ZipLimits, inventory: Inventory, explicit: bool) -> list[Source]:
    try:
        st = file.stat()
    except OSError as exc:
        return [Source(rel, str(file.absolute()), error=f"cannot read: {exc.strerror or exc}")]
    if not stat.S_ISREG(st.st_mode):
        inventory.skipped += 1
        return []
    origin = str(file.resolve())
    fingerprint = f"file:{st.st_size}:{st.st_mtime_ns}"
    if file.suffix.lower() == ZIP_SUFFIX:
        return _zip_sources(origin, rel, fingerprint, limits, inventory)
    if not explicit and not supported(rel):
        inventory.skipped += 1
        return []
    error = None
    if st.st_size > limits.max_member_bytes:
        error = f"file is {st.st_size} bytes (limit {limits.max_member_bytes})"
    return [Source(rel, origin, None, st.st_size, fingerprint, error)]


def _zip_sources(origin: str, rel: str, fingerprint: str, limits: ZipLimits, inventory: Inventory) -> list[Source]:
    def refused(reason: str) -> list[Source]:
        return [Source(rel, origin, None, 0, fingerprint, reason)]

    try:
        with zipfile.ZipFile(origin) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return refused(f"corrupt zip archive: {exc}")
    if len(infos) > limits.max_entries:
        return refused(f"zip bomb refused: {len(infos)} entries (limit {limits.max_entries})")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > limits.max_total_bytes:
        return refused(f"zip bomb refused: {total} bytes uncompressed (limit {limits.max_total_bytes})")
    if total > limits.ratio_floor and total > limits.max_ratio * max(packed, 1):
        return refused(f"zip bomb refused: compression ratio {total / max(packed, 1):.0f} "
                       f"(limit {limits.max_ratio:g})")
    out = []
    for info in infos:
        member_path = safe_member_path(info.filename)
        if info.is_dir() or member_path is None or not supported(member_path):
            inventory.skipped += not info.is_dir()
            continue
        error = None
        if info.flag_bits & 0x1:
            error = "encrypted zip member"
        elif info.file_size > limits.max_member_bytes:
            error = f"member is {info.file_size} bytes (limit {limits.max_member_bytes})"
        elif info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            error = f"zip bomb refused: member compression ratio {info.file_size / max(info.compress_size, 1):.0f}"
        out.append(Source(f"{rel}/{member_path}", origin, info.filename, info.file_size,
                          f"zip:{info.CRC:08x}:{info.file_size}", error))
    return out


class SourceReader:
    """Reads documents' bytes; keeps each zip open while its members are read."""

    def __init__(self, limits: ZipLimits | None = None) -> None:
        self.limits = limits or ZipLimits()
        self._zips: dict[str, zipfile.ZipFile] = {}

    def read(self, source: Source) -> bytes:
        try:
            if source.member is None:
                with open(source.origin, "rb") as fh:
                    data = fh.read(self.limits.max_member_bytes + 1)
            else:
                archive = self._zips.get(source.origin)
                if archive is None:
                    archive = self._zips[source.origin] = zipfile.ZipFile(source.origin)
                with archive.open(source.member) as fh:
                    data = fh.read(self.limits.max_member_bytes + 1)
        except FileNotFoundError:
            raise SourceError("no such file (removed during the audit?)") from None
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError,
                NotImplementedError, RuntimeError) as exc:
            raise SourceError(f"cannot read: {_one_line(exc)}") from None
        if len(data) > self.limits.max_member_bytes:
            raise SourceError(f"larger than {self.limits.max_member_bytes} bytes")
        return data

    def close(self) -> None:
        for archive in self._zips.values():
            archive.close()
        self._zips.clear()


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
