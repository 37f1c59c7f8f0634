"""The base of every schema of ``ssa.respond`` (response data files, incoming alerts) and the one
way their problems are reported.

Each problem is one line ``WHERE ITEM: field 'NAME' PROBLEM``: WHERE is the file (or ``alert``),
ITEM the entry in it (``rule 'conj-logged' cite[0]``, ``incident 'conjunction' criteria[1]``: a list
entry by its ``id`` where it has one, else by index; a table of tables by key), NAME the field.
"""
from __future__ import annotations

from typing import Annotated, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Strict, ValidationError

T = TypeVar("T")
Many = Annotated[tuple[T, ...], Strict(False)]  # a list in the file, a tuple in memory
Names = Many[str]


class SchemaError(ValueError):
    """Data a schema refuses; `problems`: one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class Schema(BaseModel):
    """Frozen and strict (TOML and JSON carry real types: no "1" for 1), no unknown keys, finite numbers."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    @classmethod
    def validated(cls, data, where: str, items: bool = True, **options):
        """`data` validated (`options` go to model_validate); SchemaError lists every problem (see `problems`)."""
        try:
            return cls.model_validate(data, **options)
        except ValidationError as exc:
            raise SchemaError(problems(exc, cls, data, where, items)) from None


def problems(exc: ValidationError, model: type[BaseModel], data, where: str, items: bool = True) -> list[str]:
    """One line per problem of `exc` (raised validating `data` as `model`); unknown keys of one item
    are listed together, with the fields the item knows. `items=False`: `where` is the item, and
    the field is named by its whole path (``field 'objects[0].norad_id'``)."""
    lines, unknown = [], {}
    for error in exc.errors():
        item, item_model, field = _locate(model, data, error["loc"])
        if not items:
            item, field = "", _path(error["loc"])
        head = " ".join(part for part in (where, item) if part)
        if error["type"] == "extra_forbidden":
            unknown.setdefault((head, item_model), []).append(field)
            continue
        if error["type"] == "missing":
            lines.append(f"{head}: missing field '{field}'")
            continue
        message = error["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
        message = message[:1].lower() + message[1:]
        if error["type"] != "value_error":
            message += f", not {error['input']!r}"
        lines.append(f"{head}: " + (f"field '{field}' " if field else "") + message)
    for (head, item_model), names in unknown.items():
        lines.append(f"{head}: unknown field(s) {sorted(names)} (known: {sorted(_fields(item_model))})")
    return lines


def _fields(model: type[BaseModel]) -> dict:
    """Fields by the name they have in the data (the alias where there is one)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _items_of(annotation) -> tuple[str, type[BaseModel]] | None:
    """("one" | "list" | "dict", model) when a field holds schema item(s), else None."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _items_of(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "one", annotation
    if origin in (list, tuple) and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return "list", args[0]
    if origin is dict and isinstance(args[1], type) and issubclass(args[1], BaseModel):
        return "dict", args[1]
    return None


def _locate(model: type[BaseModel], data, loc: tuple) -> tuple[str, type[BaseModel], str]:
    """(item, the item's model, field path) of a pydantic error location."""
    items, loc = [], list(loc)
    while loc and isinstance(loc[0], str) and loc[0] in _fields(model):
        key = loc[0]
        held = _items_of(_fields(model)[key].annotation)
        value = data.get(key) if isinstance(data, dict) else None
        if held is None or (held[0] != "one" and len(loc) < 2):
            break
        kind, model = held
        if kind == "one":
            items.append(key)
            data, loc = value, loc[1:]
            continue
        index = loc[1]
        try:
            entry = value[index]
        except (TypeError, KeyError, IndexError):
            entry = None
        if kind == "dict":
            items.append(f"{key} '{index}'")
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            items.append(f"{key} '{entry['id']}'")
        else:
            items.append(f"{key}[{index}]")
        data, loc = entry, loc[2:]
    return " ".join(items), model, _path(loc)


def _path(loc) -> str:
    """A location as one name: ``objects[0].norad_id``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")
