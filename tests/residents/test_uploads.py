"""Uploads: size limit, real type by content, hostile names, the virus-scan hook."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from technopark.residents.uploads import sanitise_name

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.exe", EXE)
    return out.getvalue()


def upload(rw, application, content: bytes, name: str, **kwargs):
    from technopark.residents.services import document_upload

    return document_upload(
        application=application,
        user=rw.users["applicant"],
        fileobj=io.BytesIO(content),
        name=name,
        **kwargs,
    )


def test_pdf_is_stored_under_a_generated_name(rw, draft, settings):
    doc = upload(rw, draft, PDF, "Business plan.pdf", doc_type="business_plan")
    assert doc.kind == "pdf" and doc.size == len(PDF) and doc.original_name == "Business plan.pdf"
    assert doc.file.name.startswith("residents/documents/") and doc.file.name.endswith(".pdf")
    assert "Business" not in doc.file.name
    stored = Path(settings.MEDIA_ROOT) / doc.file.name
    assert stored.read_bytes() == PDF


@pytest.mark.parametrize(
    ("content", "name"),
    [(_docx(), "plan.docx"), (PNG, "site.png"), (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "photo.JPEG")],
)
def test_allowed_types(rw, draft, content, name):
    assert upload(rw, draft, content, name).kind in {"docx", "png", "jpg"}


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE, "invoice.pdf", "not one of the allowed types"),  # an exe dressed as a PDF
        (_plain_zip(), "plan.docx", "not one of the allowed types"),  # a zip that is no DOCX
        (PDF, "plan.exe", "ends in “.exe” but its content is PDF"),
        (PDF, "plan", "has no extension"),
        (b"", "empty.pdf", "empty"),
        (b"<html><script>alert(1)</script></html>", "page.pdf", "not one of the allowed types"),
    ],
)
def test_refused_types(rw, draft, content, name, message, settings):
    with pytest.raises(ValidationError) as err:
        upload(rw, draft, content, name)
    assert message in err.value.message_dict["file"][0]
    assert draft.documents.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "residents").exists() or not any(
        (Path(settings.MEDIA_ROOT) / "residents").rglob("*.*")
    )


def test_too_big(rw, draft, settings):
    settings.TECHNOPARK_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as err:
        upload(rw, draft, PDF + b"x" * 100, "big.pdf")
    assert "the limit is 100 bytes" in err.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("re\x00port.pdf", "report.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "_img src=x onerror=alert(1)_.pdf"),
        ("...pdf", "pdf"),
        ("\x00\x01", "file"),
    ],
)
def test_hostile_names_are_kept_only_sanitised(name, kept):
    assert sanitise_name(name) == kept


def test_hostile_name_never_becomes_a_path(rw, draft, settings):
    doc = upload(rw, draft, PDF, "../../etc/passwd.pdf")
    assert doc.original_name == "passwd.pdf"
    stored = (Path(settings.MEDIA_ROOT) / doc.file.name).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert ".." not in doc.file.name and "passwd" not in doc.file.name


def refuse_everything(fileobj):
    return "EICAR test signature"


def test_virus_scan_hook(rw, draft, settings):
    settings.TECHNOPARK_VIRUS_SCAN = "tests.residents.test_uploads.refuse_everything"
    with pytest.raises(ValidationError) as err:
        upload(rw, draft, PDF, "plan.pdf")
    assert "EICAR" in err.value.message_dict["file"][0]


def test_only_the_two_sides_may_upload(rw, draft):
    from django.core.exceptions import PermissionDenied

    from technopark.residents.services import document_upload

    for role in ("other_company", "other_operator", "analyst", "stranger"):
        with pytest.raises(PermissionDenied):
            document_upload(
                application=draft, user=rw.users[role], fileobj=io.BytesIO(PDF), name="a.pdf"
            )
