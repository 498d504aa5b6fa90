"""The visitor's own data: a CSV upload, read by relu_viz.upload, previewed, and handed to training by name."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from relu_viz import datasets
from relu_viz.text import inert
from relu_viz.upload import MAX_BYTES, MAX_ROWS, SHAPES, read_csv

READ = "sim.own.read"  # (file id, file name, Dataset or the error message) of the last file read
HELD, KEPT = "sim.own.held", 4  # this visitor's most recent uploads, kept on the server while the session lasts
LINK_NOTE = ("Your uploaded data cannot travel in a link: whoever opens it is asked for a CSV file of their own (or "
             "the same file, sent another way).")


def uploaded() -> str | None:
    """The uploader; the name a run can train on (relu_viz.datasets.add), or None with a message saying why not."""
    shapes = "; ".join(f"{', '.join(names)} ({task})" for task, names in SHAPES.values())
    found = read_upload("Your data (a CSV file)", "sim.own.file", READ,
                        f"Columns {shapes}, labels 0 and 1; up to {MAX_ROWS:,} rows and {MAX_BYTES / 1e6:g} MB, a "
                        "header row optional.",
                        f"Upload a CSV file with columns {shapes} to train on your own data. {LINK_NOTE}")
    if found is None:
        return None
    name, dataset = found
    _preview(name, dataset)
    kept = datasets.add(dataset)  # the server keeps it while this session holds it (its last KEPT uploads)
    held = [d for d in st.session_state.get(HELD, []) if d is not kept]
    st.session_state[HELD] = [*held, kept][-KEPT:]
    return kept.name


def read_upload(label: str, key: str, read_key: str, help: str, missing: str,
                check: Callable[[datasets.Dataset], None] = lambda _: None) -> tuple[str, datasets.Dataset] | None:
    """A CSV uploader and its file read by relu_viz.upload, once per file (kept under `read_key`): the file's name
    and dataset, or None with a message (`missing` while there is no file, the reason for a file that cannot be
    used). `check` may refuse a dataset that reads well with a ValueError."""
    file = st.file_uploader(label, type=["csv", "txt"], key=key, help=help)
    if file is None:
        st.info(missing)
        return None
    read = st.session_state.get(read_key)
    if read is None or read[0] != file.file_id:
        try:
            dataset = read_csv(file.getvalue())
            check(dataset)
        except ValueError as error:
            dataset = str(error)
        read = st.session_state[read_key] = (file.file_id, file.name, dataset)
    _, name, dataset = read
    if isinstance(dataset, str):
        st.error(f"{inert(name)} cannot be used: {dataset}.")
        return None
    return name, dataset


def _preview(name: str, dataset: datasets.Dataset) -> None:
    """What was read: how many rows, the columns' ranges and classes, and the first rows."""
    columns = list(SHAPES[dataset.X.shape[1] + 1][1])
    table = pd.DataFrame(np.column_stack([dataset.X, dataset.y]), columns=columns)
    if dataset.task == "classification":
        ones = int(dataset.y.sum())
        about = f"two classes: {len(dataset.y) - ones} rows of label 0, {ones} of label 1"
    else:
        about = f"y from {dataset.y.min():.4g} to {dataset.y.max():.4g}"
    ranges = ", ".join(f"{c} from {dataset.X[:, i].min():.4g} to {dataset.X[:, i].max():.4g}"
                       for i, c in enumerate(columns[:-1]))
    st.success(f"Read {inert(name)}: {len(dataset.X):,} rows; {ranges}; {about}. Inputs are standardised before "
               "training.")
    st.dataframe(table.head(5), hide_index=True, height=215)
