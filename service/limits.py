"""Input limits enforced before any analysis: a streaming multipart reader and a careful zip expander.

Uploads are read chunk by chunk into memory (never a temporary file) and refused with 413 as
soon as a limit is passed, so an oversized body is not read to its end.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from service.errors import ServiceError, bad_request, too_large, unsupported

ENVELOPE = 64 * 1024  # multipart boundaries, part headers and small fields around the files
MAX_FIELD_BYTES = 4096
MAX_FIELDS = 16
RATIO_CHECK_FROM = 1024 * 1024  # the expansion ratio is checked for zip entries larger than this


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def files_in(self, name: str) -> list[UploadedFile]:
        return [f for f in self.files if f.field == name]


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_total_bytes: int
    max_ratio: float


def human_size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


def clean_filename(raw: str) -> str:
    """The last path component of a client-supplied name, without control characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "upload"


class _Collector:
    """python-multipart callbacks that keep parts in memory and count every byte."""

    def __init__(self, max_file_bytes: int, max_total_bytes: int, max_files: int) -> None:
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self.max_files = max_files
        self.upload = Upload()
        self.file_bytes = 0
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._buffer = bytearray()
        self._name = ""
        self._filename: str | None = None

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin, "on_part_data": self.on_part_data, "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field, "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end, "on_headers_finished": self.on_headers_finished,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._headers, self._buffer, self._filename = {}, bytearray(), None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise bad_request("a multipart part has no name in its Content-Disposition header")
        self._name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            self._filename = clean_filename(options[b"filename"].decode("utf-8", "replace"))
            if len(self.upload.files) >= self.max_files:
                if self.max_files == 1:
                    raise ServiceError(422, "one_file",
                                       "one document per request; use POST /api/v1/batches for several")
                raise too_large(f"too many files in one request (limit {self.max_files})")
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise bad_request(f"too many form fields (limit {MAX_FIELDS})")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        if self._filename is None:
            if len(self._buffer) + size > MAX_FIELD_BYTES:
                raise bad_request(f"form field {self._name!r} is longer than {MAX_FIELD_BYTES} bytes")
        else:
            self.file_bytes += size
            if len(self._buffer) + size > self.max_file_bytes:
                raise too_large(f"{self._filename} is larger than the {human_size(self.max_file_bytes)} limit")
            if self.file_bytes > self.max_total_bytes:
                raise too_large(f"the upload is larger than the {human_size(self.max_total_bytes)} limit")
        self._buffer += data[start:end]

    def on_part_end(self) -> None:
        if self._filename is None:
            self.upload.fields[self._name] = self._buffer.decode("utf-8", "replace")
        else:
            content_type = self._headers.get(b"content-type")
            self.upload.files.append(UploadedFile(
                field=self._name, filename=self._filename,
                content_type=content_type.decode("latin-1").split(";")[0].strip().lower() if content_type else None,
                data=bytes(self._buffer)))
        self._buffer = bytearray()

    def on_end(self) -> None:
        self.ended = True


async def read_multipart(request: Request, *, max_file_bytes: int, max_total_bytes: int,
                         max_files: int = 1) -> Upload:
    """Read a multipart/form-data body in chunks, keeping it in memory, and stop at the first limit passed."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data":
        raise unsupported("send the document as multipart/form-data (form field `file`)")
    boundary = params.get(b"boundary")
    if not boundary:
        raise bad_request("the multipart/form-data body has no boundary")
    body_limit = max_total_bytes + ENVELOPE
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_limit:
        raise too_large(f"the upload ({human_size(int(declared))}) is larger than the "
                        f"{human_size(max_total_bytes)} limit")
    collector = _Collector(max_file_bytes, max_total_bytes, max_files)
    parser = MultipartParser(boundary, collector.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > body_limit:
                raise too_large(f"the upload is larger than the {human_size(max_total_bytes)} limit")
            parser.write(chunk)
    except MultipartParseError as exc:
        raise bad_request(f"malformed multipart/form-data body ({exc})") from None
    except ClientDisconnect:
        raise ServiceError(400, "client_disconnected", "the client closed the connection during the upload") from None
    if not collector.ended:
        raise bad_request("the multipart/form-data body is incomplete (no closing boundary)")
    return collector.upload


def is_archive(data: bytes) -> bool:
    """A zip that is not an Office Open XML document (DOCX, XLSX... carry [Content_Types].xml)."""
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return False
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return True  # a corrupt zip: expand_zip reports it
    return "[Content_Types].xml" not in names


def _skipped(info: zipfile.ZipInfo) -> bool:
    path = PurePosixPath(info.filename)
    return info.is_dir() or path.parts[:1] == ("__MACOSX",) or path.name.startswith(".")


def expand_zip(data: bytes, archive_name: str, limits: ZipLimits) -> list[tuple[str, bytes]]:
    """The documents inside a zip, as (archive/entry name, bytes); refuses bombs before inflating them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not _skipped(info)]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise unsupported(f"{archive_name}: corrupt zip archive") from None
    if not infos:
        raise ServiceError(422, "empty_archive", f"{archive_name}: the archive holds no documents")
    if len(infos) > limits.max_entries:
        raise too_large(f"{archive_name}: {len(infos)} files in the archive (limit {limits.max_entries})")
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_total_bytes:
        raise too_large(f"{archive_name}: expands to {human_size(declared)} "
                        f"(limit {human_size(limits.max_total_bytes)})")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_FROM and ratio > limits.max_ratio:
            raise too_large(f"{archive_name}: {info.filename} expands {ratio:.0f} times "
                            f"(limit {limits.max_ratio:g}); refused as a possible zip bomb")
        if info.flag_bits & 0x1:
            raise unsupported(f"{archive_name}: {info.filename} is encrypted")
    out: list[tuple[str, bytes]] = []
    total = 0
    for info in infos:
        out.append((f"{archive_name}/{info.filename}", _read_entry(archive, info, archive_name)))
        total += len(out[-1][1])
        if total > limits.max_total_bytes:
            raise too_large(f"{archive_name}: expands beyond {human_size(limits.max_total_bytes)}")
    return out


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, archive_name: str) -> bytes:
    """Inflate one entry, never past its declared size (a lying header is a bomb too)."""
    buffer = bytearray()
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(1024 * 1024):
                buffer += chunk
                if len(buffer) > info.file_size:
                    raise too_large(f"{archive_name}: {info.filename} is larger than its header says")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise unsupported(f"{archive_name}: {info.filename} cannot be extracted ({exc})") from None
    return bytes(buffer)
