"""The shared line reader: lines split across chunks, line endings, blank lines, counting."""

from __future__ import annotations

from service.datasets.lines import CountingChunks, iter_lines


def test_iter_lines_joins_lines_split_across_chunks() -> None:
    chunks = [b'{"a"', b": 1}\n{", b'"b": 2}\n', b'{"c": 3}']
    assert list(iter_lines(chunks)) == [(1, b'{"a": 1}'), (2, b'{"b": 2}'), (3, b'{"c": 3}')]


def test_iter_lines_handles_crlf_even_when_split_between_chunks() -> None:
    chunks = [b"one\r", b"\ntwo\r\n", b"three\r\n"]
    assert list(iter_lines(chunks)) == [(1, b"one"), (2, b"two"), (3, b"three")]


def test_iter_lines_skips_blank_lines_but_counts_them() -> None:
    chunks = [b"\nfirst\n\n  \n", b"\r\n", b"second\n\n"]
    assert list(iter_lines(chunks)) == [(2, b"first"), (6, b"second")]


def test_iter_lines_one_byte_chunks() -> None:
    data = b"alpha\nbeta\r\ngamma"
    assert list(iter_lines(data[i : i + 1] for i in range(len(data)))) == [
        (1, b"alpha"),
        (2, b"beta"),
        (3, b"gamma"),
    ]


def test_iter_lines_newline_at_chunk_start_and_empty_chunks() -> None:
    chunks = [b"x", b"", b"\ny", b"\n", b""]
    assert list(iter_lines(chunks)) == [(1, b"x"), (2, b"y")]


def test_counting_chunks_counts_every_byte_passed_through() -> None:
    counted = CountingChunks([b"ab", b"", b"cde\n"])
    assert b"".join(counted) == b"abcde\n"
    assert counted.n_bytes == 6
