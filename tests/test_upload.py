"""Reading a visitor's CSV file: what a good file gives, and a message naming the row and column for each bad one."""

import numpy as np
import pytest

from relu_viz import datasets
from relu_viz.training import TrainConfig, raw_data, standardized, train
from relu_viz.upload import MAX_BYTES, read_csv


def test_a_regression_file_with_a_header_bom_blank_lines_and_windows_line_ends():
    text = "\ufeffx,y\r\n" + "".join(f"{x},{2 * x - 1}\r\n" + ("\r\n" if x == 3 else "") for x in range(10))
    d = read_csv(text.encode("utf-8"))
    assert d.task == "regression" and d.X.shape == (10, 1) and d.y.shape == (10, 1)
    assert np.array_equal(d.X[:, 0], np.arange(10.0)) and np.array_equal(d.y[:, 0], 2 * np.arange(10.0) - 1)


def test_a_classification_file_without_a_header_with_spaces_and_exponents():
    rows = [f" {k * 0.5:g} , {1e-1 * k:.1e}, {k % 2}" for k in range(12)]
    d = read_csv("\n".join(rows).encode())
    assert d.task == "classification" and d.X.shape == (12, 2)
    assert np.allclose(d.X, np.column_stack([np.arange(12) * 0.5, np.arange(12) * 0.1]))
    assert d.y[:, 0].tolist() == [k % 2 for k in range(12)]


def good(rows=10):
    return ["x1,x2,label"] + [f"{k},{k * k % 7},{k % 2}" for k in range(rows)]


def lines(rows):
    return "\n".join(rows).encode()


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty: it needs columns x, y or x1, x2, label"),
    (b"\n \n", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is not a text file (it holds zero bytes): save the table as CSV"),
    (b"x,y\n1,\xff\xfe", "this is not a UTF-8 text file (byte 7 is not text)"),
    (lines(["a,b,c,d"] + ["1,2,3,4"] * 10), "the file has 4 columns; it needs 2 (x, y: regression) or 3"),
    (lines(["1"] * 10), "the file has 1 column; it needs 2"),
    (lines(good()[:5] + ["3,4"] + good()[5:]), "row 6 has 2 columns; expected 3 (`'x1'`, `'x2'`, `'label'`)"),
    (lines(good()[:4] + ["1,two,0"] + good()[4:]), "row 5, column 2 (`'x2'`): `'two'` is not a number"),
    (lines(good()[:3] + ["1,nan,0"] + good()[3:]), "row 4, column 2 (`'x2'`): `'nan'` is not a finite number"),
    (lines(good()[:3] + ["-inf,1,0"] + good()[3:]), "row 4, column 1 (`'x1'`): `'-inf'` is not a finite number"),
    (lines(good()[:3] + ["1e300,1,0"] + good()[3:]),
     "row 4, column 1 (`'x1'`): `'1e300'` is larger than 1e+06 in size"),
    (lines(good()[:8] + ["1,1,2"] + good()[8:]),
     "row 9, column 3 (`'label'`): 2 is not a class label; labels are 0 or 1"),
    (lines(["x1,x2,label"] + [f"{k},{k + 1},1" for k in range(10)]),
     "every row has label 1: a classifier needs both classes, 0 and 1"),
    (lines(["x1,x2,label"] + [f"{k},5,{k % 2}" for k in range(10)]),
     "column 2 (`'x2'`) has the same value, 5, in every row: an input must vary"),
    (lines(good(7)), "the file has 7 rows of data; at least 8"),
    (lines(["x,y"]), "the file has 0 rows of data; at least 8"),
    (lines(["x,y"] + ["1,2"] * 5001), "the file has 5,001 rows of data; at most 5,000"),
    (b"x,y\n" + b"1,2\n" * (MAX_BYTES // 4 + 1), "the file is 1.0 MB; at most 1 MB"),
    pytest.param(lines(["**x** <b>,y"] + [f"{k},{k}" for k in range(4)] + ["7" * 62_000 + ",1"]
                       + [f"{k},{k}" for k in range(4)]),
                 "row 6, column 1 (`'**x** <b>'`): `'" + "7" * 40 + "…'` is not a finite number",
                 id="markup in a header, a 62k-digit cell: quoted inert and short"),
    pytest.param(lines(["x,y`**"] + [f"{k},{k}" for k in range(4)] + ["1,`two`"] + [f"{k},{k}" for k in range(4)]),
                 "row 6, column 2 (`'y'**'`): `''two''` is not a number", id="backticks cannot close the code span"),
])
def test_a_bad_file_gets_a_message_naming_what_and_where(content, message):
    with pytest.raises(ValueError) as error:
        read_csv(content)
    assert str(error.value).startswith(message), str(error.value)


def test_an_uploaded_file_trains_as_the_same_numbers_generated_would():
    """A file holding a moons sample trains exactly like the moons of that seed (the same X, y and weights)."""
    config = TrainConfig(dataset="moons", n_samples=64, epochs=20, lr=0.3)
    drawn = raw_data(config)
    text = "x1,x2,label\n" + "".join(f"{float(a)!r},{float(b)!r},{int(c)}\n"
                                      for (a, b), c in zip(drawn.X, drawn.y[:, 0]))
    held = datasets.add(read_csv(text.encode()))
    mine = train(TrainConfig(dataset=held.name, n_samples=64, epochs=20, lr=0.3))
    theirs = train(config)
    assert np.array_equal(mine.X, standardized(drawn.X).astype(mine.X.dtype))
    assert np.array_equal(mine.loss, theirs.loss) and np.array_equal(mine.dead_fraction, theirs.dead_fraction)


def exactly(size: int) -> bytes:
    """A valid x, y file of exactly `size` bytes: 5,000 rows, each x padded with zeros after its decimal point."""
    base = [f"{k}.,{k % 3}\n" for k in range(1, 5001)]
    extra = size - len("x,y\n") - sum(map(len, base))
    rows = [f"{k}.{'0' * (extra // 5000 + (k <= extra % 5000))},{k % 3}\n" for k in range(1, 5001)]
    return ("x,y\n" + "".join(rows)).encode()


@pytest.mark.parametrize("rows, content", [
    (8, lines(good(8))),
    (5000, lines(["x,y"] + [f"{k},{k % 3}" for k in range(5000)])),
    (5000, exactly(MAX_BYTES)),
    (10, lines(["x,y"] + ["1e6,-1e6", "-1000000,1000000"] + [f"{k},{k}" for k in range(8)])),
], ids=["8-rows", "5000-rows", "1-MB", "1e6-in-size"])
def test_the_limits_themselves_are_allowed(rows, content):
    d = read_csv(content)
    assert len(d.X) == rows and d.name == "upload"


def test_one_byte_over_and_the_messages_in_full():
    assert len(exactly(MAX_BYTES + 1)) == MAX_BYTES + 1
    for content, message in [
        (exactly(MAX_BYTES + 1), "the file is 1.0 MB; at most 1 MB"),
        (b"x,y\n" + b"1,2\n" * 262_144, "the file is 1.0 MB; at most 1 MB"),
        (b"x,y\n" + b"12345678,2\n" * 200_000, "the file is 2.2 MB; at most 1 MB"),
        (lines(["a,b,c,d"] + ["1,2,3,4"] * 10), "the file has 4 columns; it needs 2 (x, y: regression) or 3 (x1, x2, "
                                                 "label: two classes)"),
        (b"x,y\n1,\xff\xfe", "this is not a UTF-8 text file (byte 7 is not text): save the table as CSV"),
        (b"x,y\n" + b"1" * 140_000 + b",2\n" + b"3,4\n" * 10,
         "row 2 cannot be read as CSV (field larger than field limit (131072))"),
        (lines(good()[:4] + ["1," + "z" * 60 + ",0"] + good()[4:]),
         f"row 5, column 2 (`'x2'`): `'{'z' * 40}…'` is not a number"),
        (lines(["x1,x2,label"] + [f"{k},{k + 1},0" for k in range(10)]),
         "every row has label 0: a classifier needs both classes, 0 and 1"),
        (lines(["x,y"] + ["2.5,1"] * 10), "column 1 (`'x'`) has the same value, 2.5, in every row: an input must "
                                          "vary"),
    ]:
        with pytest.raises(ValueError) as error:
            read_csv(content)
        assert str(error.value) == message
