"""An on-disk cache of dataclass results that cannot lie: no pickle, keyed, hashed, atomic.

One entry is one ``.npz`` file (``numpy.savez_compressed``) holding:

- ``__meta__``: the dataclass's fields as JSON (UTF-8 bytes). Plain values (numbers, strings,
  ``None``, lists, tuples, dicts with any JSON-able keys, numpy scalars) are encoded with type
  tags so that they come back with the same type; a pandas DataFrame or Series or a numpy
  array anywhere in the value is stored as arrays (see below) and referenced by name.
- ``a0``, ``a1``, ...: the arrays. Numeric, boolean and datetime columns are stored as numpy
  arrays; text and other object columns as JSON. Nothing is ever pickled, and files are read
  with ``numpy.load(..., allow_pickle=False)``, so a crafted file cannot run code.
- ``__key__``: the cache key the entry was written for.
- ``__hash__``: a BLAKE2b hash over the canonical payload (the JSON and every array's name,
  dtype, shape and bytes).

The archive's comment holds a second BLAKE2b hash, over the file's own bytes, so that damage to
the zip structure itself (time stamps, headers) is detected too: every single-bit flip of a
file is caught.

:func:`load` checks the key and the hash and rebuilds the dataclass with exactly its fields;
any mismatch or unreadable file deletes the entry and returns ``None`` (the caller recomputes)
with one warning in the log. :func:`save` writes a temporary file in the cache folder and
moves it into place with :func:`os.replace`; a failure removes the temporary file. A cache
folder that cannot be written gives one warning per process, not one per entry.

The serialisation is generic over the dataclass's fields, so fields added later need no
change here, as long as their values are made of the types above.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import io
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = ["CacheFormatError", "decode", "encode", "load", "save"]

log = logging.getLogger(__name__)

#: Bumped when the file layout changes (part of every entry; an old layout is discarded).
FORMAT = 1
SUFFIX = ".npz"

T = TypeVar("T")

_LOCK = threading.Lock()
_WRITE_WARNED: set[str] = set()  # folders already reported as unwritable in this process


class CacheFormatError(ValueError):
    """A value cannot be stored in the cache (an unsupported type), or an entry is corrupt."""


# --------------------------------------------------------------------------------------------
# encoding


class _Encoder:
    """Turns a value into a JSON-able tree plus named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, arr: np.ndarray) -> str:
        arr = np.asarray(arr)
        if arr.dtype.kind not in "biufcmMU":
            msg = f"array of dtype {arr.dtype} cannot be cached"
            raise CacheFormatError(msg)
        name = f"a{len(self.arrays)}"
        self.arrays[name] = arr if arr.flags.c_contiguous else arr.copy(order="C")
        return name

    def _column(self, values: Any) -> dict[str, Any]:
        """A Series or Index: numpy arrays for numbers, JSON for text and other objects."""
        dtype = values.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
            return {"np": self._array(values.to_numpy())}
        if isinstance(dtype, pd.CategoricalDtype):
            cat = pd.Categorical(values)
            return {"category": self.value(list(cat.categories)),
                    "ordered": bool(dtype.ordered),
                    "codes": self._array(np.asarray(cat.codes))}
        if isinstance(dtype, np.dtype):  # object (or numpy str): JSON values as they are
            return {"json": [self.value(v) for v in values.tolist()], "dtype": "object"}
        # pandas extension dtypes (Int64, boolean, string, ...): missing values as None
        items = [None if _is_missing(v) else v for v in values.tolist()]
        return {"json": [self.value(v) for v in items], "dtype": str(dtype)}

    def _frame(self, df: pd.DataFrame) -> dict[str, Any]:
        return {
            "columns": self._index(df.columns),
            "data": [self._column(df.iloc[:, i]) for i in range(df.shape[1])],
            "index": self._index(df.index),
        }

    def _index(self, index: pd.Index) -> dict[str, Any]:
        if isinstance(index, pd.RangeIndex):
            return {"range": [index.start, index.stop, index.step],
                    "name": self.value(index.name)}
        if isinstance(index, pd.MultiIndex):
            return {"multi": [self._column(index.get_level_values(i))
                              for i in range(index.nlevels)],
                    "names": [self.value(n) for n in index.names]}
        return {"values": self._column(index), "name": self.value(index.name)}

    def value(self, v: Any) -> Any:
        if isinstance(v, np.generic):  # before float: np.float64 is a float subclass
            if v.dtype.kind in "biuf":
                return {"__np__": v.dtype.str, "x": self.value(v.item())}
            if v.dtype.kind not in "cmM":
                msg = f"numpy scalar of dtype {v.dtype} cannot be cached"
                raise CacheFormatError(msg)
            return {"__np__": v.dtype.str, "v": self._array(np.asarray(v))}
        if v is None or isinstance(v, (bool, str)):
            return v
        if v is pd.NA:
            return {"__na__": 1}
        if v is pd.NaT:
            return {"__nat__": 1}
        if isinstance(v, int):
            return {"__int__": str(v)} if abs(v) >= 2**53 else v
        if isinstance(v, float):
            return v if np.isfinite(v) else {"__float__": repr(v)}
        if isinstance(v, pd.DataFrame):
            return {"__df__": self._frame(v)}
        if isinstance(v, pd.Series):
            return {"__series__": self._frame(v.to_frame()), "name": self.value(v.name)}
        if isinstance(v, np.ndarray):
            return {"__nd__": self._array(v)}
        if isinstance(v, tuple):
            return {"__tuple__": [self.value(x) for x in v]}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {"__dict__": [[self.value(k), self.value(x)] for k, x in v.items()]}
        if isinstance(v, (set, frozenset)):
            tag = "__frozenset__" if isinstance(v, frozenset) else "__set__"
            return {tag: [self.value(x) for x in sorted(v, key=repr)]}
        msg = f"a value of type {type(v).__name__} cannot be cached"
        raise CacheFormatError(msg)


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and not np.isfinite(v) and v != v  # NaN


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def _array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            msg = f"missing array {name!r}"
            raise CacheFormatError(msg)
        return self.arrays[name]

    def _column(self, node: dict[str, Any]) -> Any:
        if "np" in node:
            return self._array(node["np"])
        if "category" in node:
            return pd.Categorical.from_codes(self._array(node["codes"]),
                                             categories=self.value(node["category"]),
                                             ordered=bool(node["ordered"]))
        values = [self.value(v) for v in node["json"]]
        dtype = node["dtype"]
        if dtype == "object":
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out
        return pd.array(values, dtype=dtype)

    def _index(self, node: dict[str, Any]) -> pd.Index:
        if "range" in node:
            return pd.RangeIndex(*node["range"], name=self.value(node["name"]))
        if "multi" in node:
            levels = [self._column(c) for c in node["multi"]]
            return pd.MultiIndex.from_arrays(levels, names=[self.value(n) for n in node["names"]])
        return pd.Index(self._column(node["values"]), name=self.value(node["name"]))

    def _frame(self, node: dict[str, Any]) -> pd.DataFrame:
        data = [self._column(c) for c in node["data"]]
        df = pd.DataFrame(dict(enumerate(data)), index=self._index(node["index"]))
        columns = self._index(node["columns"])
        if len(columns) != df.shape[1]:
            msg = "column count does not match"
            raise CacheFormatError(msg)
        df.columns = columns
        return df

    def value(self, v: Any) -> Any:
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (tag, body), = v.items()
            if tag == "__na__":
                return pd.NA
            if tag == "__nat__":
                return pd.NaT
            if tag == "__int__":
                return int(body)
            if tag == "__float__":
                return float(body)
            if tag == "__tuple__":
                return tuple(self.value(x) for x in body)
            if tag == "__dict__":
                return {_hashable(self.value(k)): self.value(x) for k, x in body}
            if tag == "__set__":
                return {_hashable(self.value(x)) for x in body}
            if tag == "__frozenset__":
                return frozenset(_hashable(self.value(x)) for x in body)
            if tag == "__nd__":
                return self._array(body)
            if tag == "__df__":
                return self._frame(body)
        if "__np__" in v:
            if "x" in v:
                return np.dtype(v["__np__"]).type(self.value(v["x"]))
            return self._array(v["v"])[()]
        if "__series__" in v:
            return self._frame(v["__series__"]).iloc[:, 0].rename(self.value(v["name"]))
        msg = f"unknown node {sorted(v)!r}"
        raise CacheFormatError(msg)


def _hashable(v: Any) -> Any:
    if isinstance(v, list):
        msg = "a list cannot be a dict key"
        raise CacheFormatError(msg)
    return v


def encode(obj: Any) -> tuple[bytes, dict[str, np.ndarray]]:
    """The JSON bytes and arrays of a dataclass instance (its fields by name)."""
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        msg = f"only dataclass instances are cached, not {type(obj).__name__}"
        raise CacheFormatError(msg)
    enc = _Encoder()
    fields = {f.name: enc.value(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    meta = {"format": FORMAT, "type": type(obj).__qualname__, "fields": fields}
    text = json.dumps(meta, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8"), enc.arrays


def decode(cls: type[T], meta: bytes, arrays: dict[str, np.ndarray]) -> T:
    """Rebuild an instance of dataclass ``cls`` from :func:`encode`'s output."""
    tree = json.loads(meta.decode("utf-8"))
    if not isinstance(tree, dict) or tree.get("format") != FORMAT:
        msg = "unknown cache format"
        raise CacheFormatError(msg)
    if tree.get("type") != cls.__qualname__:
        msg = f"entry holds a {tree.get('type')!r}, not a {cls.__qualname__!r}"
        raise CacheFormatError(msg)
    fields = tree.get("fields")
    names = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    if not isinstance(fields, dict) or set(fields) != names:
        msg = "entry's fields differ from the dataclass's fields"
        raise CacheFormatError(msg)
    dec = _Decoder(arrays)
    return cls(**{name: dec.value(node) for name, node in fields.items()})


def _digest(key: str, meta: bytes, arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.blake2b(digest_size=32)
    h.update(b"mobility-cache\0" + key.encode("utf-8") + b"\0")
    h.update(len(meta).to_bytes(8, "little") + meta)
    for name in sorted(arrays):
        arr = arrays[name]
        head = json.dumps([name, arr.dtype.str, list(arr.shape)]).encode("ascii")
        h.update(len(head).to_bytes(8, "little") + head)
        data = arr.tobytes()
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def _bytes_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8)


# --------------------------------------------------------------------------------------------
# files


def entry_path(folder: Path, key: str) -> Path:
    """The file of ``key``'s entry in ``folder``."""
    return Path(folder) / f"{key}{SUFFIX}"


def save(folder: str | os.PathLike[str], key: str, obj: Any) -> Path | None:
    """Write ``obj`` (a dataclass instance) under ``key``, atomically.

    Returns the entry's path, or ``None`` if it could not be written: the folder is not
    writable (one warning per folder and process) or a value cannot be stored (a warning).
    Never raises for an I/O problem; the cache is an optimisation.
    """
    folder = Path(folder)
    try:
        meta, arrays = encode(obj)
    except CacheFormatError as err:
        log.warning("result not cached (%s)", err)
        return None
    payload = {name: arr for name, arr in arrays.items()}
    payload["__meta__"] = _bytes_array(meta)
    payload["__key__"] = _bytes_array(key.encode("utf-8"))
    payload["__hash__"] = _bytes_array(_digest(key, meta, arrays).encode("ascii"))
    target = entry_path(folder, key)
    tmp: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            buf = io.BytesIO()
            np.savez_compressed(buf, **payload)  # type: ignore[arg-type]
            fh.write(_seal(buf.getvalue()))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        with _LOCK:
            first = str(folder) not in _WRITE_WARNED
            _WRITE_WARNED.add(str(folder))
        if first:
            log.warning("cannot write the scenario cache in %s (%s); results are not cached "
                        "on disk in this run (set MOBILITY_CACHE_DIR to a writable folder)",
                        folder, err.strerror or err)
        return None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return target


_EOCD = b"PK\x05\x06"  # zip end-of-central-directory record (22 bytes + comment)
_SEAL_LEN = 64  # hex BLAKE2b-256


def _file_digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=32).hexdigest().encode("ascii")


def _seal(raw: bytes) -> bytes:
    """The archive with the hash of its bytes as its zip comment."""
    if len(raw) < 22 or raw[-22:-18] != _EOCD or raw[-2:] != b"\0\0":
        msg = "unexpected archive layout"
        raise OSError(msg)
    return raw[:-2] + _SEAL_LEN.to_bytes(2, "little") + _file_digest(raw)


def _unseal(data: bytes) -> None:
    """Raise unless ``data`` is an archive sealed by :func:`_seal` and unchanged since."""
    body, seal = data[:-_SEAL_LEN], data[-_SEAL_LEN:]
    if (len(body) < 22 or body[-22:-18] != _EOCD
            or body[-2:] != _SEAL_LEN.to_bytes(2, "little")):
        msg = "not a sealed cache archive"
        raise CacheFormatError(msg)
    if not hmac.compare_digest(_file_digest(body[:-2] + b"\0\0"), seal):
        msg = "file hash does not match (the file was changed or damaged)"
        raise CacheFormatError(msg)


def _read(path: Path, key: str) -> tuple[bytes, dict[str, np.ndarray]]:
    raw = path.read_bytes()
    _unseal(raw)
    data = io.BytesIO(raw)  # (numpy leaks the handle of a file it cannot open)
    loaded = np.load(data, allow_pickle=False)
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        msg = "not an .npz archive"
        raise CacheFormatError(msg)
    with loaded as npz:
        arrays = {name: npz[name] for name in npz.files}
    try:
        meta = arrays.pop("__meta__").tobytes()
        stored_key = arrays.pop("__key__").tobytes().decode("utf-8")
        stored_hash = arrays.pop("__hash__").tobytes().decode("ascii")
    except KeyError as err:
        msg = f"entry lacks {err}"
        raise CacheFormatError(msg) from err
    if stored_key != key:
        msg = f"entry was written for key {stored_key[:40]!r}, not {key!r}"
        raise CacheFormatError(msg)
    if _digest(key, meta, arrays) != stored_hash:
        msg = "content hash does not match (the file was changed or damaged)"
        raise CacheFormatError(msg)
    return meta, arrays


def load(folder: str | os.PathLike[str], key: str, cls: type[T]) -> T | None:
    """The entry of ``key`` as a ``cls`` instance, or ``None`` (missing or discarded).

    A file that cannot be read, was written for another key, fails the hash check or does not
    match ``cls``'s fields is deleted with one warning, so the caller recomputes and rewrites.
    """
    path = entry_path(Path(folder), key)
    try:
        if not path.is_file():
            return None
    except OSError:
        return None
    try:
        meta, arrays = _read(path, key)
        return decode(cls, meta, arrays)
    except Exception as err:
        reason = str(err) or type(err).__name__
        log.warning("discarding scenario cache entry %s (%s); recomputing", path.name, reason)
        with contextlib.suppress(OSError):
            path.unlink()
        return None
