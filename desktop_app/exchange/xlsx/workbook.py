"""A new workbook and its .xlsx bytes, the same bytes for the same content."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import TYPE_CHECKING, Final

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from desktop_app import APP_NAME
from desktop_app.exchange.xlsx.cells import XML_UNSAFE

if TYPE_CHECKING:
    from _typeshed import SizedBuffer, StrPath

# The file's dates are fixed so that the same sheet gives the same bytes.
FIXED_TIMESTAMP: Final = datetime.datetime(2000, 1, 1)
_ZIP_TIMESTAMP: Final = (1980, 1, 1, 0, 0, 0)


def new_workbook(title: str, *, now: datetime.datetime | None = None) -> Workbook:
    wb = Workbook()
    moment = now or FIXED_TIMESTAMP
    wb.properties.title = XML_UNSAFE.sub("", title)
    wb.properties.creator = APP_NAME
    wb.properties.lastModifiedBy = APP_NAME
    wb.properties.created = moment
    wb.properties.modified = moment
    return wb


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose members carry one fixed date, so the same workbook gives the same bytes."""

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: SizedBuffer | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(
        self,
        filename: StrPath,
        arcname: StrPath | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl writes each worksheet to a temporary file and adds it with write(), which
        # would stamp the member with that file's modification time.
        with open(filename, "rb") as stream:
            self.writestr(str(arcname if arcname is not None else filename), stream.read())


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes (openpyxl's own save would stamp the current time)."""
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
    return buffer.getvalue()
