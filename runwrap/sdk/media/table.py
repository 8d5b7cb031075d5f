"""`Table`: rows and columns stored as `media/table/<key>_<step>_<digest>.table.json`, the JSON
wandb writes (`{"columns": [...], "data": [[...], ...]}`); `runwrap export --tables` writes it as
CSV. Cells are numbers, strings, booleans, None, lists/dicts of those, or media (an Image in a
cell is stored as its own file and the cell holds its reference record)."""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from runwrap.errors import UsageError
from runwrap.sdk.media.base import Media, MediaSink

DEFAULT_COLUMNS = ["Input", "Output", "Expected"]  # wandb's columns for Table()


class ColumnKindError(UsageError, TypeError):
    """A cell of another kind than its column's (wandb raises TypeError here)."""


class RowLengthError(UsageError, ValueError):
    """A row or column of the wrong length (wandb raises ValueError here)."""
_dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode


def _category(value: Any) -> Optional[str]:
    """The kind of a cell for the one-kind-per-column rule (None fits every column)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Media):
        return type(value).__name__
    return type(value).__name__


class Table(Media):
    """wandb.Table(columns=None, data=None, rows=None, dataframe=None, dtype=None,
    optional=True, allow_mixed_types=False)."""

    MAX_ROWS = 10000  # wandb's figure for tables shown in its UI
    MAX_ARTIFACT_ROWS = 200000  # the most rows log() or an artifact takes

    def __init__(self, columns: Optional[Sequence[str]] = None, data: Any = None, rows: Any = None,
                 dataframe: Any = None, dtype: Any = None, optional: Any = True,
                 allow_mixed_types: bool = False, log_mode: Optional[str] = None):
        self._allow_mixed = bool(allow_mixed_types)
        if dataframe is not None:
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.itertuples(index=False, name=None)
        if rows is not None:
            if data is not None:
                raise UsageError("Table: pass data or rows, not both (they are the same)")
            data = rows
        if columns is None:
            columns = list(DEFAULT_COLUMNS)
        self.columns: List[str] = [str(c) for c in columns]
        if len(set(self.columns)) != len(self.columns):
            raise UsageError(f"Table: column names must be unique, got {self.columns}")
        self.data: List[List[Any]] = []
        self._kinds: List[Optional[str]] = [None] * len(self.columns)
        if data is not None:
            if hasattr(data, "tolist") and not hasattr(data, "columns"):
                data = data.tolist()  # a numpy array: plain numbers in one call
            for row in data:
                self.add_data(*row)

    # -- building -------------------------------------------------------------------------------
    def add_data(self, *data: Any) -> None:
        """Append one row (one value per column)."""
        if len(data) != len(self.columns):
            raise RowLengthError(f"Table: this table expects {len(self.columns)} columns "
                             f"{self.columns}, found {len(data)}: {list(data)!r:.200}")
        row = [_cell(v) for v in data]
        if not self._allow_mixed:
            for i, value in enumerate(row):
                self._check_kind(i, value, len(self.data))
        self.data.append(row)

    add_row = add_data

    def _check_kind(self, column: int, value: Any, row: int) -> None:
        kind = _category(value)
        if kind is None:
            return
        known = self._kinds[column]
        if known is None:
            self._kinds[column] = kind
        elif known != kind:  # wandb refuses True in a column of numbers, too
            raise ColumnKindError(f"Table: column {self.columns[column]!r} holds {known} values, but "
                             f"row {row} has {value!r:.80} ({kind}); pass "
                             f"allow_mixed_types=True to allow both")

    def add_column(self, name: str, data: Sequence[Any], optional: bool = False) -> None:
        name = str(name)
        if name in self.columns:
            raise UsageError(f"Table: column {name!r} already exists; choose another name")
        values = data.tolist() if hasattr(data, "tolist") else list(data)
        if self.data and len(values) != len(self.data):
            raise RowLengthError(f"Table: column {name!r} has {len(values)} values, the table has "
                             f"{len(self.data)} rows")
        if not self.data:
            self.data = [[] for _ in values]
        self.columns.append(name)
        self._kinds.append(None)
        for i, (row, value) in enumerate(zip(self.data, values)):
            cell = _cell(value)
            if not self._allow_mixed:
                self._check_kind(len(self.columns) - 1, cell, i)
            row.append(cell)

    def add_computed_columns(self, fn: Any) -> None:
        """wandb's `fn(ndx, row) -> {column: value}` applied to every row."""
        results = [fn(i, dict(zip(self.columns, row))) for i, row in enumerate(self.data)]
        for name in (results[0] if results else {}):
            self.add_column(name, [r[name] for r in results])

    # -- reading --------------------------------------------------------------------------------
    def get_column(self, name: str, convert_to: Optional[str] = None) -> Any:
        if name not in self.columns:
            raise UsageError(f"Table: no column {name!r}; columns are {self.columns}")
        i = self.columns.index(name)
        values = [row[i] for row in self.data]
        if convert_to == "numpy":
            import numpy as np  # optional extra (media)

            return np.array(values)
        return values

    def get_index(self) -> List[int]:
        return list(range(len(self.data)))

    def iterrows(self) -> Iterator[Tuple[int, List[Any]]]:
        return iter(enumerate(self.data))

    def get_dataframe(self) -> Any:
        import pandas as pd  # optional: the user's pandas, if installed

        return pd.DataFrame(self.data, columns=self.columns)

    def __len__(self) -> int:
        return len(self.data)

    # -- logging --------------------------------------------------------------------------------
    def check(self, key: str) -> None:
        if len(self.data) > self.MAX_ARTIFACT_ROWS:
            raise UsageError(f"log key {key!r}: the table has {len(self.data):,} rows, more than "
                             f"the {self.MAX_ARTIFACT_ROWS:,} a logged table may hold; log a "
                             f"sample, or split it over several keys or steps")

    def to_document(self, sink: Optional[MediaSink] = None, key: str = "", step: int = 0
                    ) -> Dict[str, Any]:
        """wandb's table JSON; media cells become reference records (their files written
        through `sink`)."""
        data = self.data
        if self._allow_mixed or any(k not in _PLAIN_KINDS for k in self._kinds):
            data = [[_stored_cell(v, sink, key, step) for v in row] for row in data]
        return {"columns": self.columns, "data": data}

    def encode(self, sink: Optional[MediaSink] = None, key: str = "", step: int = 0) -> bytes:
        doc = self.to_document(sink, key, step)
        try:
            return _dumps(doc).encode()
        except ValueError:  # NaN or infinity in a cell: stored as strings, as in streams
            # start-up: loaded only on the path that needs it
            from runwrap.store.values import to_json_safe

            return _dumps(to_json_safe(doc)).encode()

    def store(self, sink: MediaSink, key: str, step: int) -> Dict[str, Any]:
        stored = sink.write("table", key, step, self.encode(sink, key, step), "table.json")
        return stored.reference("table-file", ncols=len(self.columns), nrows=len(self.data))

    def __repr__(self) -> str:
        return f"<Table {len(self.data)}x{len(self.columns)} {self.columns}>"


_PLAIN_KINDS = (None, "number", "string", "boolean")


def _stored_cell(value: Any, sink: Optional[MediaSink], key: str, step: int) -> Any:
    if not isinstance(value, Media):
        return value
    if sink is None:
        raise UsageError(f"Table: a cell holds {value!r}; media cells need the table logged "
                         f"to a run (run.log) or added to an artifact")
    return value.store(sink, key, step)


def _cell(value: Any) -> Any:
    t = type(value)
    if t is int or t is float or t is str or t is bool or value is None:
        return value
    if isinstance(value, Media):
        return value
    from runwrap.sdk.run.history import normalize  # start-up: loaded only on the path that needs it

    if isinstance(value, dict):
        return {str(k): _cell(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cell(v) for v in value]
    return normalize(value)


class JoinedTable(Media):
    """wandb.JoinedTable(table1, table2, join_key): two tables and the column(s) they join on,
    stored as `media/joined-table/*.joined-table.json` (`{"table1", "table2", "join_key"}`, the
    tables' paths beside it). A table given as a string is a path inside the artifact the
    joined table is added to, kept as given."""

    def __init__(self, table1: Any, table2: Any, join_key: Any):
        keys = [join_key, join_key] if isinstance(join_key, str) else list(join_key or ())
        if len(keys) != 2 or not all(isinstance(k, str) and k for k in keys):
            raise UsageError(f"JoinedTable: join_key {join_key!r} must be a column name or a "
                             f"pair of them (one per table)")
        for table, key in ((table1, keys[0]), (table2, keys[1])):
            if isinstance(table, Table):
                if key not in table.columns:
                    raise UsageError(f"JoinedTable: join_key {key!r} is not a column of "
                                     f"{table!r}; columns are {table.columns}")
            elif not isinstance(table, str):
                raise UsageError(f"JoinedTable takes Tables or paths of tables in an artifact, "
                                 f"got {type(table).__name__}")
        self.table1, self.table2, self.join_key = table1, table2, join_key

    def check(self, key: str) -> None:
        for table in (self.table1, self.table2):
            if isinstance(table, Table):
                table.check(key)

    def store(self, sink: MediaSink, key: str, step: int) -> Dict[str, Any]:
        paths = [t.store(sink, key, step)["path"] if isinstance(t, Table) else t
                 for t in (self.table1, self.table2)]
        doc = {"table1": paths[0], "table2": paths[1], "join_key": self.join_key}
        data = _dumps(doc).encode()
        return sink.write("joined-table", key, step, data, "joined-table.json").reference(
            "joined-table-file", table1=paths[0], table2=paths[1])

    def __repr__(self) -> str:
        return f"<JoinedTable on {self.join_key!r}>"
