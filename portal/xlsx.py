"""Excel (.xlsx) import and export, shared by the parts of the portal.

A part that can be exchanged as a spreadsheet defines an `XlsxKind` in its `resources.py` and
registers it; the commands ``manage.py export_xlsx <kind> <file>`` and ``import_xlsx <kind>
<file>`` and the parts' API actions find it here by name::

    # suppliers/resources.py
    COLUMNS = (
        xlsx.Column("name", "供应商名称"),
        xlsx.Column("category", "类别", choices=SupplierCategory),
        xlsx.Column("founded_on", "成立日期", widget=widgets.DateWidget()),
        ...
    )
    SupplierResource = xlsx.resource_for(Supplier, COLUMNS)

    @xlsx.register
    class SupplierXlsx(xlsx.XlsxKind):
        name = "suppliers"
        label = "供应商"
        columns = COLUMNS
        serializer_class = SupplierSerializer

        def create(self, *, actor, data):
            return services.supplier_create(actor=actor, data=data)

        def export(self, *, user=None, queryset=None) -> bytes: ...

Columns are declared once (`Column`): a code (the field's API name), a Chinese label, and for
the export the attribute path and widget; `resource_for` builds the django-import-export
Resource from them. The header row shows code and label, ``项目名称（name）``, and an import
accepts the header in that form, the label alone or the code alone. Values of choice fields are
codes (an import also takes the Chinese label).

An import is all-or-nothing (`XlsxKind.import_rows`): every row is checked by the part's own
rules (its serializer and its create service), inside one transaction; any row error rolls the
whole file back, and the result lists every error with its spreadsheet row number (the header
is row 1) and column code. See docs/development/xlsx.md.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, BinaryIO, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.settings import api_settings

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_ROWS = 5000
# The largest upload an import takes (the API's and the pages'); a real 5,000-row file is well under.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What an upload may unpack to before anything parses it. openpyxl reads the shared strings
# whole when it opens a workbook, and a sheet of blank rows compresses a thousandfold: a 290 KB
# file held two million rows. A real import of 5,000 rows of 20 columns is a few megabytes.
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # for members over 1 MB unpacked; Excel's own files stay under 20
MAX_MEMBERS = 500
MAX_COLUMNS = 200
_HEADER_CODE = re.compile(r"^(?P<label>.*?)\s*[（(]\s*(?P<code>[A-Za-z_][A-Za-z0-9_]*)\s*[)）]\s*$")


class XlsxError(Exception):
    """The file cannot be read as a spreadsheet of this kind (not a row error)."""


@dataclass(frozen=True)
class Column:
    """One column of a kind's sheet: the only place it is declared, for the export's Resource
    (`resource_for`) and for reading an import's cells (`read`)."""

    code: str
    label: str
    #: Read from an import (else exported only, and ignored when imported).
    imported: bool = True
    #: The exported value's path on the record (import-export's ``attribute``, ``__`` through
    #: relations); default: the code.
    attribute: str = ""
    #: How the export writes the value, and so what an import's cell holds: a number, date or
    #: boolean widget reads the cell as one; without a widget it is text.
    widget: widgets.Widget | None = None
    #: The field's TextChoices: an import takes the Chinese label as well as the code.
    choices: type[models.Choices] | None = None

    @property
    def header(self) -> str:
        return f"{self.label}（{self.code}）"

    def read(self, value: Any) -> Any:
        """A cell as serializer input: numbers and dates as text, booleans as True/False, choice
        labels as their codes; a blank text cell as ""."""
        if isinstance(self.widget, widgets.NumberWidget):
            return decimal_text(value)
        if isinstance(self.widget, widgets.DateWidget):
            return date_text(value)
        if isinstance(self.widget, widgets.BooleanWidget):
            return boolean(value)
        word = text(value)
        return self._choice_codes.get(word, word)

    @cached_property
    def _choice_codes(self) -> dict[str, str]:
        if self.choices is None:
            return {}
        with translation.override(None):  # the labels as written (Chinese), whatever the reader's language
            return {str(label): value for value, label in self.choices.choices}


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number; 1 is the header
    field: str  # column code, or "" for the row as a whole
    message: str

    def __str__(self) -> str:
        where = _("第 %(row)d 行") % {"row": self.row}
        return f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass
class ImportResult:
    created: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class XlsxKind:
    """What a part implements to be exchanged as .xlsx.

    A kind declares its `columns`, the `serializer_class` that checks an imported row and
    `create`, which calls the part's create service; `import_rows` does the rest. The other
    hooks have defaults: `prepare` (once per import, for lookups every row shares),
    `row_payload` (a row as serializer input) and `row_actor` (who a row is created as).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    serializer_class: ClassVar[type[serializers.Serializer]]
    #: The column that says whose a row is (e.g. the organisation's credit code): a
    #: PermissionError from `create` is reported on it ("" for the row as a whole).
    owner_column: ClassVar[str] = ""

    #: Why the import page refuses someone (the 403 page shows it).
    import_refused: ClassVar[Any] = ""

    def can_import(self, user) -> bool:
        """Whether `user` may import this kind from the pages (an ImportJob); the API's import
        action says so with its permission class. Nobody, unless the kind says otherwise."""
        return False

    def import_url(self) -> str:
        """The kind's import page (portal/views_imports.py), for the job page's "upload again"."""
        return ""

    def result_url(self, job) -> str:
        """Where a finished job's records are seen (e.g. the enterprise's workspace)."""
        return ""

    def template(self) -> bytes:
        """An empty workbook with the imported columns' headers: what the import page offers."""
        return write_workbook([c.header for c in self.columns if c.imported], [], title=self.label)

    def export(self, *, user=None, queryset=None) -> bytes:  # pragma: no cover - abstract
        """The records `user` may see (None: everything, for the command) as a workbook."""
        raise NotImplementedError

    # --- Import: the hooks ---------------------------------------------------------------

    def create(self, *, actor, data: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        """Create one record from a row's validated serializer data, through the part's
        service (e.g. ``services.project_create(actor=actor, data=data)``). Raise
        ValidationError or PermissionError as the service does."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Called at the start of each import: load what the rows look up (e.g. a name → code
        map) so that no row queries it again."""

    def row_payload(self, row: dict[str, Any]) -> dict[str, Any]:
        """A sheet row ({code: cell value}) as serializer input: each imported column's cell
        through `Column.read`. A blank text cell is left out, so that the serializer's default
        or its "required" applies; columns the serializer does not write (read-only) are
        ignored by it."""
        payload: dict[str, Any] = {}
        for column in self.columns:
            if column.imported and column.code in row:
                value = column.read(row[column.code])
                if value != "":
                    payload[column.code] = value
        return payload

    def row_actor(self, row: dict[str, Any], *, actor):
        """Who the row's record is created as: `actor` (the API's caller). A kind imported from
        the command (`actor` None) finds the row's owner here; raise ValidationError
        ({column: message}) when the row names none."""
        return actor

    # --- Import: the algorithm -----------------------------------------------------------

    def import_file(self, file: BinaryIO | str, *, actor=None) -> ImportResult:
        header_errors, rows = read_rows(file, self.columns)
        if header_errors:
            return ImportResult(errors=header_errors)
        return self.import_rows(rows, actor=actor)

    def import_rows(
        self,
        rows: list[tuple[int, dict[str, Any]]],
        *,
        actor=None,
        progress: Callable[[int], None] | None = None,
        progress_every: int = 100,
    ) -> ImportResult:
        """Create the records of `rows` ((row number, {code: cell value})), all or nothing.

        With `actor` (the API) the records are the actor's; without (the command) `row_actor`
        says whose each row is. Every row is checked even after an error, so that the result
        lists them all; with any error nothing stays and `created` is empty. `progress`, if
        given, is called with the number of rows done every `progress_every` rows and at the end
        (an ImportJob's live count)."""
        result = ImportResult()
        with transaction.atomic():
            self.prepare()
            for done, (number, row) in enumerate(rows, 1):
                errors, record = self._import_row(number, row, actor=actor)
                result.errors += errors
                if record is not None:
                    result.created.append(record)
                if progress is not None and done % progress_every == 0:
                    progress(done)
            if progress is not None:
                progress(len(rows))
            if result.errors:
                transaction.set_rollback(True)
                result.created = []
        return result

    def _import_row(self, number: int, row: dict[str, Any], *, actor) -> tuple[list[RowError], Any]:
        serializer = self.serializer_class(data=self.row_payload(row))
        if not serializer.is_valid():
            return _row_errors(number, serializer.errors), None
        try:
            owner = self.row_actor(row, actor=actor)
            with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
                return [], self.create(actor=owner, data=serializer.validated_data)
        except ValidationError as exc:
            return _row_errors(number, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}), None
        except PermissionError as exc:
            return [RowError(number, self.owner_column, str(exc))], None


def _row_errors(number: int, errors: dict[str, Any]) -> list[RowError]:
    """{field: messages} (a serializer's or a ValidationError's) as RowErrors; the non-field
    ones are the row's as a whole."""
    whole_row = {"", NON_FIELD_ERRORS, api_settings.NON_FIELD_ERRORS_KEY}
    return [
        RowError(number, "" if name in whole_row else name, _message(messages)) for name, messages in errors.items()
    ]


def _message(messages: Any) -> str:
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_message(v)}" for k, v in messages.items())
    if isinstance(messages, list | tuple):
        return " ".join(str(m) for m in messages)
    return str(messages)


# --- The export's Resource --------------------------------------------------------------------


class ColumnResource(resources.ModelResource):
    """A Resource built by `resource_for`: its `private` columns are blank in the rows where
    `visible(record)` is false (no `visible`: every row shows them)."""

    private: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *, visible: Callable[[Any], bool] | None = None) -> None:
        super().__init__()
        self.visible = visible

    def export_field(self, field, instance, **kwargs):
        if self.visible is not None and self.get_field_name(field) in self.private and not self.visible(instance):
            return None
        return super().export_field(field, instance, **kwargs)


def resource_for(
    model: type[models.Model], columns: tuple[Column, ...], *, private: Collection[str] = ()
) -> type[ColumnResource]:
    """The django-import-export Resource of `columns`, in their order, headed by their headers.
    Export with ``resource(visible=...).export(queryset, export_fields=codes,
    force_native_type=True)``, `codes` the columns the reader gets at all."""
    codes = tuple(column.code for column in columns)
    resource = resources.modelresource_factory(
        model,
        resource_class=ColumnResource,
        meta_options={"fields": codes, "export_order": codes},
        custom_fields={
            column.code: fields.Field(
                attribute=column.attribute or column.code, column_name=column.header, widget=column.widget
            )
            for column in columns
        },
    )
    resource.private = frozenset(private)
    return resource


_registry: dict[str, type[XlsxKind]] = {}
_discovered = False


def register(kind: type[XlsxKind]) -> type[XlsxKind]:
    """Class decorator: make `kind` available to the commands under `kind.name`."""
    _registry[kind.name] = kind
    return kind


def kinds() -> list[str]:
    _discover()
    return sorted(_registry)


def get(name: str) -> XlsxKind:
    _discover()
    try:
        return _registry[name]()
    except KeyError:
        raise LookupError(
            _("未知的数据类型 %(name)s；可选：%(kinds)s") % {"name": name, "kinds": ", ".join(sorted(_registry))}
        ) from None


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("resources")
        _discovered = True


# --- Reading and writing ---------------------------------------------------------------------


def header_code(header: Any, columns: Iterable[Column]) -> str | None:
    """The column code a header cell names: ``标签（code）``, the label alone, or the code alone."""
    text = str(header or "").strip()
    if not text:
        return None
    by_code = {c.code: c for c in columns}
    match = _HEADER_CODE.match(text)
    if match and match["code"] in by_code:
        return match["code"]
    if text in by_code:
        return text
    for column in by_code.values():
        if text == column.label:
            return column.code
    return None


def check_archive(file: BinaryIO | str) -> None:
    """Refuse, before any XML is parsed, an archive that would unpack to more than an import
    can need: too many members, too many bytes in all, or a member compressed like a bomb.
    The sizes are the archive's own directory entries; a member that lies about its size fails
    its CRC check when read, which `read_rows` reports as an unreadable file."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise XlsxError(_("无法读取文件，请上传 Excel（.xlsx）文件。")) from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    total = sum(member.file_size for member in members)
    bomb = any(
        member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if len(members) > MAX_MEMBERS or total > MAX_UNCOMPRESSED_BYTES or bomb:
        raise XlsxError(
            _("文件解压后过大（超过 %(mb)d MB）或压缩异常，已拒绝。请只保留要导入的数据后重新保存。")
            % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )


def _too_many_rows() -> XlsxError:
    return XlsxError(_("一次最多导入 %(max)d 行（含空行），请删除多余的行或分批导入。") % {"max": MAX_IMPORT_ROWS})


def _too_many_columns() -> XlsxError:
    return XlsxError(_("列数过多（超过 %(max)d 列），请使用导入模板。") % {"max": MAX_COLUMNS})


def check_upload(file) -> None:
    """What an import can refuse at once, in the request, before a worker reads a row: a file
    over MAX_UPLOAD_BYTES, an archive that would unpack too far (`check_archive`), a workbook
    that does not open, and a first sheet whose declared dimensions pass the caps. Raises
    XlsxError with the reason; the rows themselves are `read_rows`'s, in the worker."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise XlsxError(_("文件不能超过 %(mb)d MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    check_archive(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise XlsxError(_("无法读取文件，请上传 Excel（.xlsx）文件。")) from exc
    try:
        if not workbook.worksheets:
            raise XlsxError(_("文件中没有工作表。"))
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) > MAX_IMPORT_ROWS + 1:
            raise _too_many_rows()
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise _too_many_columns()
    except SyntaxError as exc:
        raise XlsxError(_("文件无法读取：工作表内容已损坏，请用 Excel 重新保存后再上传。")) from exc
    finally:
        workbook.close()
        if hasattr(file, "seek"):
            file.seek(0)


def read_rows(file: BinaryIO | str, columns: tuple[Column, ...]) -> tuple[list[RowError], list[tuple[int, dict]]]:
    """The header's errors (unknown or repeated columns) and the data rows, each as its row
    number and {column code: cell value}. Blank rows are skipped, but every row counts toward
    MAX_IMPORT_ROWS: the sheet's declared dimensions are checked first, then each row read, so
    a sheet of millions of blank rows is refused after at most MAX_IMPORT_ROWS of them."""
    check_archive(file)
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise XlsxError(_("无法读取文件，请上传 Excel（.xlsx）文件。")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The declared <dimension> (absent or wrong in some writers; the loop counts as well).
        if (sheet.max_row or 0) > MAX_IMPORT_ROWS + 1:
            raise _too_many_rows()
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise _too_many_columns()
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is not None and len(header) > MAX_COLUMNS:
            raise _too_many_columns()
        if header is None:
            raise XlsxError(_("文件是空的。"))
        errors: list[RowError] = []
        codes: list[str | None] = []
        for position, cell in enumerate(header, 1):
            code = header_code(cell, columns)
            if code is None and cell not in (None, ""):
                errors.append(
                    RowError(1, get_column_letter(position), _("无法识别的列：%(header)s") % {"header": cell})
                )
            elif code is not None and code in codes:
                errors.append(RowError(1, code, _("列重复。")))
            codes.append(code)
        rows = []
        for number, values in enumerate(lines, 2):
            if number > MAX_IMPORT_ROWS + 1:  # blank rows count: reading them is the cost
                raise _too_many_rows()
            if len(values) > MAX_COLUMNS:
                raise _too_many_columns()
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((number, {code: value for code, value in zip(codes, values, strict=False) if code}))
        return errors, rows
    except SyntaxError as exc:  # the sheet's XML, parsed as it is read (ElementTree's or lxml's ParseError)
        raise XlsxError(_("文件无法读取：工作表内容已损坏，请用 Excel 重新保存后再上传。")) from exc
    finally:
        workbook.close()


def write_workbook(headers: list[str], rows: Iterable[Iterable[Any]], *, title: str) -> bytes:
    """A one-sheet workbook: bold, frozen header row; strings stay strings (never formulas)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    for position, header in enumerate(headers, 1):
        sheet.column_dimensions[get_column_letter(position)].width = max(10, min(40, 2 * len(header) + 2))
    bold = Font(bold=True)
    sheet.append([_cell(sheet, header, font=bold) for header in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet, value: Any, font: Font | None = None) -> WriteOnlyCell:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the wall-clock time readers in the province expect
        # (TIME_ZONE), not UTC, in which the database hands datetimes back.
        value = timezone.localtime(value).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"  # "=..." in a name is text, not a formula to run in the reader's Excel
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd"
    if font is not None:
        cell.font = font
    return cell


# --- Cell values ------------------------------------------------------------------------------


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def decimal_text(value: Any) -> str | None:
    """A number cell as serializer input (floats by their shortest repr: 0.1 stays 0.1)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)  # refused by the serializer as a number
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value).strip().replace(",", "")


def date_text(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


TRUE = frozenset({"1", "true", "yes", "y", "是", "已", "已登记", "√", "✓"})
FALSE = frozenset({"", "0", "false", "no", "n", "否", "未", "未登记", "×"})


def boolean(value: Any) -> bool | str:
    """True/False from a cell; anything else is returned as text for the serializer to refuse."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = text(value).lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    return word


class XlsxRenderer(BaseRenderer):
    """Lets API clients ask for a workbook (`Accept:` the .xlsx type, or `?format=xlsx`); the
    actions answer with the file themselves, and errors come as JSON."""

    media_type = CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)
