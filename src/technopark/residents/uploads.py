"""Checking and naming uploaded documents.

* The type is decided by the file's first bytes (its "magic"), never by its name alone: a PDF
  starts with ``%PDF-``, PNG with ``\\x89PNG\\r\\n\\x1a\\n``, JPEG with ``\\xff\\xd8\\xff``, DOCX and XLSX
  are ZIP packages (``PK\\x03\\x04``) holding ``[Content_Types].xml`` and ``word/`` or ``xl/``.
  The name's extension must agree with the detected type.
* Size is limited by ``settings.TECHNOPARK_MAX_UPLOAD_BYTES``.
* Files are stored under MEDIA_ROOT with a generated name (``residents/documents/<uuid>.<ext>``);
  the user's name is kept, sanitised, only as metadata.
* Virus scanning is a hook: ``settings.TECHNOPARK_VIRUS_SCAN`` is the dotted path of a callable
  ``scan(fileobj) -> str | None`` returning None when the file is clean or the reason it is not.
  The default, :func:`no_virus_scan`, accepts everything; point the setting at e.g. a ClamAV
  client wrapper in production.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

ALLOWED_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "png": ("png",),
    "jpg": ("jpg", "jpeg"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
}
DEFAULT_VIRUS_SCAN = "technopark.residents.uploads.no_virus_scan"
_UNSAFE = re.compile(r'[\\/<>:"|?*\'&;`$%{}\[\]]')


class UploadRejected(ValueError):
    """The upload is refused; the message says why, for the user."""


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    size: int
    sha256: str
    original_name: str
    stored_name: str


def no_virus_scan(fileobj: IO[bytes]) -> str | None:
    """The default virus-scan hook: accepts every file (no scanner configured)."""
    return None


def virus_scanner() -> Callable[[IO[bytes]], str | None]:
    return import_string(getattr(settings, "TECHNOPARK_VIRUS_SCAN", DEFAULT_VIRUS_SCAN))


def sanitise_name(name: str) -> str:
    """The user's file name made safe to store and show: the last path part only, no control
    characters (NUL included), no markup or shell characters, no leading dots, at most 150
    characters; "file" when nothing is left.

    >>> sanitise_name("../../etc/passwd")
    'passwd'
    >>> sanitise_name('<script>alert(1)</script>.pdf')
    '_script_alert(1)__script_.pdf'
    >>> sanitise_name("report\\x00.exe.pdf")
    'report.exe.pdf'
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    return name[:150] or "file"


def detect_kind(head: bytes, fileobj: IO[bytes]) -> str | None:
    """The allowed type the content really is, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        fileobj.seek(0)
        try:
            with zipfile.ZipFile(fileobj) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def check_upload(fileobj: IO[bytes], name: str, size: int | None = None) -> CheckedUpload:
    """Check an upload's size, real type, name and virus scan; raise UploadRejected if refused."""
    limit = settings.TECHNOPARK_MAX_UPLOAD_BYTES
    if size is None:
        fileobj.seek(0, 2)
        size = fileobj.tell()
    if size > limit:
        raise UploadRejected(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"size": size, "limit": limit}
        )
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    original = sanitise_name(name)
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    fileobj.seek(0)
    head = fileobj.read(16)
    kind = detect_kind(head, fileobj)
    if kind is None:
        raise UploadRejected(
            _("The file's content is not one of the allowed types (PDF, DOCX, XLSX, PNG, JPG).")
        )
    if not extension:
        raise UploadRejected(
            _("The file's name has no extension; its content is %(kind)s, so name it “.%(ext)s”.")
            % {"kind": kind.upper(), "ext": ALLOWED_EXTENSIONS[kind][0]}
        )
    if extension not in ALLOWED_EXTENSIONS[kind]:
        raise UploadRejected(
            _("The file's name ends in “.%(ext)s” but its content is %(kind)s.")
            % {"ext": extension, "kind": kind.upper()}
        )
    fileobj.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(64 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    verdict = virus_scanner()(fileobj)
    fileobj.seek(0)
    if verdict:
        raise UploadRejected(
            _("The file was refused by the virus scan: %(reason)s") % {"reason": verdict}
        )
    return CheckedUpload(
        kind=kind,
        size=size,
        sha256=digest.hexdigest(),
        original_name=original,
        stored_name=f"residents/documents/{uuid.uuid4().hex}.{kind}",
    )
