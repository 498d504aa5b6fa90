"""A visitor's CSV file read into a Dataset, or a ValueError that says what is wrong and where (row and column)."""

from __future__ import annotations

import csv
import math

import numpy as np

from relu_viz.datasets import UPLOAD, Dataset
from relu_viz.text import inert

MAX_BYTES, MAX_ROWS, MIN_ROWS = 1_000_000, 5000, 8
MAX_SIZE = 1e6  # the largest number in size a cell may hold
SHAPES = {2: ("regression", ("x", "y")), 3: ("classification", ("x1", "x2", "label"))}


def read_csv(content: bytes) -> Dataset:
    """x, y (regression) or x1, x2, label (two classes, labels 0 and 1), comma-separated, with or without a header
    row; rows are counted as in the file (the header, if any, is row 1) and blank lines are skipped."""
    if len(content) > MAX_BYTES:
        raise ValueError(f"the file is {len(content) / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:g} MB")
    if b"\0" in content:
        raise ValueError("this is not a text file (it holds zero bytes): save the table as CSV")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"this is not a UTF-8 text file (byte {error.start + 1} is not text): save the table as "
                         "CSV") from None
    reader = csv.reader(text.splitlines())
    try:
        rows = [(number, row) for number, row in enumerate(reader, 1) if any(cell.strip() for cell in row)]
    except csv.Error as error:  # a field longer than 131,072 characters, say
        raise ValueError(f"row {reader.line_num} cannot be read as CSV ({error})") from None
    if not rows:
        raise ValueError("the file is empty: it needs columns x, y or x1, x2, label")
    names = None
    if not all(_is_number(cell) for cell in rows[0][1]):
        names = [inert(cell.strip()) for cell in rows[0][1]]  # the header's names, as messages quote them
        rows = rows[1:]
    width = len(names) if names is not None else len(rows[0][1])  # rows is not empty without a header
    if width not in SHAPES:
        raise ValueError(f"the file has {width} column{'s' * (width != 1)}; it needs 2 (x, y: regression) or 3 "
                         "(x1, x2, label: two classes)")
    task, default_names = SHAPES[width]
    names = names or list(default_names)
    if len(rows) > MAX_ROWS:
        raise ValueError(f"the file has {len(rows):,} rows of data; at most {MAX_ROWS:,}")
    if len(rows) < MIN_ROWS:
        raise ValueError(f"the file has {len(rows)} rows of data; at least {MIN_ROWS}")
    table = []
    for number, row in rows:  # row by row: the first bad row is the one named
        if len(row) != width:
            raise ValueError(f"row {number} has {len(row)} column{'s' * (len(row) != 1)}; expected {width} "
                             f"({', '.join(names)})")
        table.append([_cell(row, number, column, names) for column in range(width)])
    table = np.array(table)
    X, y = table[:, :-1], table[:, -1:]
    if task == "classification":
        _check_labels(y[:, 0], [number for number, _ in rows], names[-1])
    for column in range(X.shape[1]):
        if np.all(X[:, column] == X[0, column]):
            raise ValueError(f"column {column + 1} ({names[column]}) has the same value, {X[0, column]:g}, "
                             "in every row: an input must vary")
    return Dataset(UPLOAD, X, y, task)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _cell(row: list[str], number: int, column: int, names: list[str]) -> float:
    where = f"row {number}, column {column + 1} ({names[column]})"
    text = row[column].strip()
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {inert(text)} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {inert(text)} is not a finite number")
    if abs(value) > MAX_SIZE:
        raise ValueError(f"{where}: {inert(text)} is larger than {MAX_SIZE:g} in size")
    return value


def _check_labels(labels: np.ndarray, numbers: list[int], name: str) -> None:
    bad = np.flatnonzero((labels != 0) & (labels != 1))
    if len(bad):
        raise ValueError(f"row {numbers[bad[0]]}, column 3 ({name}): {labels[bad[0]]:g} is not a class label; "
                         "labels are 0 or 1")
    if np.all(labels == labels[0]):
        raise ValueError(f"every row has label {labels[0]:g}: a classifier needs both classes, 0 and 1")
