"""The date forms Chinese spreadsheets use: 1985.03, 1985.3.5, 1985年3月, 1985年3月5日, 1985-03-01, 1985/3/1,
19850301, 1985-03, and Excel serial dates (numbers, or the cells openpyxl already reads as dates).

A value that names only a year and a month (出生年月, 任职时间 are usually kept that way) is read as the first day
of that month: the register's rules count whole years and months, and the first day never makes anyone older or
longer in post than the sheet says.
"""

from __future__ import annotations

import datetime as dt
import re

# Excel's 1900 date system: serial 1 is 1900-01-01, and serial 60 is the 1900-02-29 that never was (Lotus's bug,
# kept by Excel), so serials from 61 on count from 1899-12-30.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FULL = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")


class DateError(ValueError):
    """A value that is not a date of a form the importer reads (the message says why, never the value)."""


def excel_serial(serial: float) -> dt.date:
    """The date of an Excel serial number (1900 date system)."""
    whole = int(serial)
    if whole != serial and serial - whole > 0.999999:  # a time of day rounds within the day
        whole += 1
    if whole < 1 or whole == 60:
        raise DateError("not a valid Excel date number")
    if whole < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=whole)
    return _EXCEL_EPOCH + dt.timedelta(days=whole)


def _number(number: float) -> dt.date:
    """A number cell: 1985.03 typed into a number cell (year.month), or an Excel serial date."""
    if 1900 <= number < 2101:
        if number == int(number):
            raise DateError("a year alone is not a date")
        hundredths = round((number - int(number)) * 100)
        if hundredths % 10 == 0:
            # 1985.1 is what a number cell keeps of both 1985.01 and 1985.10: refuse rather than guess.
            raise DateError("ambiguous month (1985.1 may be January or October): type it as text, e.g. 1985.10")
        if not 1 <= hundredths <= 12:
            raise DateError("no such month")
        return dt.date(int(number), hundredths, 1)
    if number == int(number) and 19000101 <= number <= 21001231:
        return parse_date(str(int(number)))  # 19850301 typed into a number cell
    if 1 <= number < 2_958_466:  # serials up to 9999-12-31
        return excel_serial(number)
    raise DateError("not a valid Excel date number")


def parse_date(value: object) -> dt.date:
    """Reads one cell as a date, or raises DateError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateError("not a date")
    if isinstance(value, (int, float)):
        return _number(float(value))
    if not isinstance(value, str):
        raise DateError("not a date")
    text = value.strip().replace("／", "/").replace("－", "-").replace("．", ".")
    if not text:
        raise DateError("empty")
    for pattern in (_FULL, _MONTH, _COMPACT):
        match = pattern.match(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            day = int(match.group(3)) if match.lastindex and match.lastindex >= 3 and match.group(3) else 1
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise DateError("no such date") from None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _number(float(text))
    raise DateError("not a date of a known form (1985.03, 1985年3月, 1985-03-01, an Excel date)")
