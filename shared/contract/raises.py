"""Which problems (``AppError`` classes) a route can answer with, read from the code itself.

The reading starts at a route's endpoint and the dependencies FastAPI runs for it, and follows every
function, method and class of the platform's own packages that the code names: module globals, the
variables a closure captured (the ``act`` of an action route, the live ``ReviewRounds`` a shared
router was built around), attributes of live objects, methods found through a parameter's or an
attribute's annotation, and the classes a local variable was built from. Every ``AppError`` subclass
named on the way counts, except where it is only caught (``except NotFound``) or tested
(``isinstance``). The result is an over-estimate where code catches one problem and raises another,
never an under-estimate of what the code names; a problem a route raises through a path this reading
cannot follow is caught by the suite, which checks every problem a test provokes against the
operation's declared codes (tests/test_contract.py).

Nothing here runs the code it reads: functions are parsed with ``ast``, attributes of live objects
are read with ``inspect.getattr_static`` (no property runs), and annotations are evaluated in their
module's namespace only when written as plain names.
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import inspect
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Union, get_args, get_origin

from shared.errors import AppError

# The packages whose code is read; anything else (the standard library, FastAPI, SQLAlchemy) is opaque.
OWN_PACKAGES = frozenset({"shared", "services", "gateway", "tests", "kjt"})


@dataclass(frozen=True)
class Instance:
    """A value known only by its class (a parameter, a variable built by ``cls(...)``)."""

    cls: type


@dataclass(frozen=True)
class _Node:
    """One function to read, with what ``self`` is inside it (a live object, an ``Instance`` or None) and
    the parameters a caller gave a constant string (``act(..., "submit", ...)``)."""

    func: types.FunctionType
    self_value: Any = None
    consts: tuple[tuple[str, str | bool], ...] = ()

    def key(self) -> tuple[Any, ...]:
        # a live object by identity (it lives as long as the app), an ``Instance`` by its class
        owner = self.self_value if isinstance(self.self_value, Instance) else id(self.self_value)
        return self.func, owner, self.consts  # the function, not its code: closures differ


@dataclass
class _Reading:
    """What one function names: problem classes, and the functions it may call."""

    problems: set[type[AppError]] = field(default_factory=set)
    calls: list[_Node] = field(default_factory=list)


def _own(obj: Any) -> bool:
    module = getattr(obj, "__module__", None) or ""
    return module.split(".", 1)[0] in OWN_PACKAGES


def _is_problem(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, AppError)


class ProblemReader:
    """Reads functions once each and answers ``problems(callables)`` for any number of routes."""

    def __init__(self) -> None:
        self._readings: dict[tuple[Any, ...], _Reading] = {}
        self._files: dict[str, dict[int, list[ast.AST]]] = {}
        self._trees: dict[types.CodeType, ast.AST | None] = {}
        self._plans: dict[types.CodeType, _Plan | None] = {}
        self._attribute_types: dict[type, dict[str, list[Any]]] = {}

    # --- the public side ----------------------------------------------------------------------------

    def problems(self, callables: Iterable[Any]) -> tuple[set[type[AppError]], set[str]]:
        """The problem classes the callables can raise, and the qualified names of the functions reached
        (so that a caller can tell, say, whether a route sets an ETag)."""
        found: set[type[AppError]] = set()
        names: set[str] = set()
        seen: set[tuple[Any, ...]] = set()
        stack = [node for c in callables for node in self.nodes_of(c)]
        while stack:
            node = stack.pop()
            key = node.key()
            if key in seen:
                continue
            seen.add(key)
            names.add(f"{node.func.__module__}.{node.func.__qualname__}")
            reading = self._read(node)
            found |= reading.problems
            stack.extend(reading.calls)
        return found, names

    # --- turning values into functions to read ---------------------------------------------------------

    def nodes_of(
        self, value: Any, *, called: bool = True, consts: dict[str, str | bool] | None = None
    ) -> Iterator[_Node]:
        """The functions behind a value: a function, a bound method, a partial, a class (its constructor),
        a callable object (its ``__call__``, when called). ``consts`` are the constant strings the call
        gives, by parameter name."""
        given = tuple(sorted((consts or {}).items()))
        if isinstance(value, functools.partial):
            yield from self.nodes_of(value.func, called=called)
            return
        if isinstance(value, types.MethodType):
            if isinstance(value.__func__, types.FunctionType) and _own(value.__func__):
                yield _Node(inspect.unwrap(value.__func__), value.__self__, given)
            return
        if isinstance(value, _BoundPlaceholder):
            yield _Node(value.func, value.self_value, given)
            return
        if isinstance(value, staticmethod | classmethod):
            yield from self.nodes_of(value.__func__, called=called, consts=consts)
            return
        if isinstance(value, property):
            for accessor in (value.fget, value.fset):
                if accessor is not None:
                    yield from self.nodes_of(accessor, called=called)
            return
        if isinstance(value, types.FunctionType):
            func = inspect.unwrap(value)
            if isinstance(func, types.FunctionType) and _own(func):
                yield _Node(func, None, given)
            return
        if isinstance(value, type):
            if _own(value) and not _is_problem(value):
                for name in ("__init__", "__post_init__"):
                    member = vars(value).get(name)
                    if isinstance(member, types.FunctionType):
                        yield _Node(member, Instance(value))
            return
        if called and not isinstance(value, Instance) and _own(type(value)):
            member = _static(type(value), "__call__")
            if isinstance(member, types.FunctionType):
                yield _Node(member, value, given)

    # --- reading one function ---------------------------------------------------------------------------

    def _tree(self, func: types.FunctionType) -> ast.AST | None:
        """The function's definition, from its module's tree (each file is parsed once)."""
        code = func.__code__
        if code not in self._trees:
            candidates = self._definitions(code.co_filename).get(code.co_firstlineno, [])
            wanted = ast.Lambda if code.co_name == "<lambda>" else (ast.FunctionDef, ast.AsyncFunctionDef)
            found = [
                d for d in candidates if isinstance(d, wanted) and getattr(d, "name", code.co_name) == code.co_name
            ]
            if len(found) == 1:
                self._trees[code] = found[0]
            elif found:  # two lambdas on one line: read both
                self._trees[code] = ast.Module(body=[ast.Expr(value=d) for d in found], type_ignores=[])  # type: ignore[arg-type]
            else:
                self._trees[code] = None
        return self._trees[code]

    def _definitions(self, filename: str) -> dict[int, list[ast.AST]]:
        """Every function and lambda of a file, by the line its code object starts on (a decorated
        function's first decorator)."""
        if filename not in self._files:
            index: dict[int, list[ast.AST]] = {}
            try:
                with open(filename, encoding="utf-8") as handle:
                    module = ast.parse(handle.read(), filename)
            except (OSError, SyntaxError, ValueError):
                module = ast.Module(body=[], type_ignores=[])
            for node in ast.walk(module):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    line = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                    index.setdefault(line, []).append(node)
                elif isinstance(node, ast.Lambda):
                    index.setdefault(node.lineno, []).append(node)
            self._files[filename] = index
        return self._files[filename]

    def _plan(self, func: types.FunctionType) -> _Plan | None:
        code = func.__code__
        if code not in self._plans:
            tree = self._tree(func)
            self._plans[code] = None if tree is None else _plan(tree)
        return self._plans[code]

    def _read(self, node: _Node) -> _Reading:
        key = node.key()
        if key in self._readings:
            return self._readings[key]
        reading = _Reading()
        self._readings[key] = reading  # before reading: a recursive function sees itself as read
        # What the code reaches through data this reading cannot follow, told by the code itself: a
        # function's ``__problem_sources__`` (problem classes and callables), or, for a method of a live
        # object, its class's ``__problem_sources__(self, method, consts)`` (a workflow's guards for an action).
        # A function marked ``__problem_opaque__`` is not read at all (the test suite's observers).
        sources = list(getattr(node.func, "__problem_sources__", ()))
        owner = node.self_value
        hook = None if owner is None or isinstance(owner, Instance) else _static(type(owner), "__problem_sources__")
        if isinstance(hook, types.FunctionType):
            sources += hook(owner, node.func.__name__, dict(node.consts))
        for source in sources:
            if _is_problem(source):
                reading.problems.add(source)
            else:
                reading.calls.extend(self.nodes_of(source))
        plan = None if getattr(node.func, "__problem_opaque__", False) else self._plan(node.func)
        if plan is None:
            return reading
        scope = _Scope(self, node, plan)
        for value, consts in scope.uses:
            if _is_problem(value):
                reading.problems.add(value)
            else:
                reading.calls.extend(self.nodes_of(value, called=consts is not None, consts=consts))
        return reading

    def attribute_types(self, cls: type) -> dict[str, list[Any]]:
        """What the instances of ``cls`` hold, by attribute: class annotations (dataclass fields) and the
        ``self.x = parameter`` assignments of its ``__init__``, as ``Instance`` values."""
        if cls in self._attribute_types:
            return self._attribute_types[cls]
        out: dict[str, list[Any]] = {}
        self._attribute_types[cls] = out
        for klass in reversed(cls.__mro__):
            if not _own(klass):
                continue
            namespace = vars(inspect.getmodule(klass) or builtins)
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                out[name] = _instances(_evaluate(annotation, namespace))
            init = vars(klass).get("__init__")
            if isinstance(init, types.FunctionType):
                tree = self._tree(init)
                if isinstance(tree, ast.FunctionDef | ast.AsyncFunctionDef):
                    params = _parameter_annotations(tree, init.__globals__)
                    for statement in ast.walk(tree):
                        if (
                            isinstance(statement, ast.Assign)
                            and isinstance(statement.value, ast.Name)
                            and statement.value.id in params
                        ):
                            for target in statement.targets:
                                if (
                                    isinstance(target, ast.Attribute)
                                    and isinstance(target.value, ast.Name)
                                    and target.value.id == "self"
                                ):
                                    out.setdefault(target.attr, params[statement.value.id])
        return out


@dataclass(frozen=True)
class _BoundPlaceholder:
    """A method of an ``Instance`` (a class known, no object)."""

    func: types.FunctionType
    self_value: Any


def _static(owner: Any, name: str) -> Any:
    try:
        return inspect.getattr_static(owner, name)
    except AttributeError:
        return None


_EVALUATED: dict[tuple[str, str], Any] = {}


def _evaluate(annotation: Any, namespace: dict[str, Any]) -> Any:
    """An annotation's value; a string one is evaluated in its module (names and subscripts only)."""
    if not isinstance(annotation, str):
        return annotation
    key = (annotation, str(namespace.get("__name__")))
    if key not in _EVALUATED:
        _EVALUATED[key] = _evaluate_text(annotation, namespace)
    return _EVALUATED[key]


def _evaluate_text(annotation: str, namespace: dict[str, Any]) -> Any:
    try:
        expression = ast.parse(annotation, mode="eval")
    except SyntaxError:
        return None
    if any(isinstance(n, ast.Call | ast.Lambda | ast.NamedExpr) for n in ast.walk(expression)):
        return None
    try:
        return eval(compile(expression, "<annotation>", "eval"), namespace)  # noqa: S307
    except Exception:
        return None


def _instances(annotation: Any) -> list[Any]:
    """``Instance`` values for the platform's classes an annotation names (``X | None``, ``Annotated[X, …]``,
    ``list[X]``), plus the dependency of an ``Annotated[…, Depends(f)]``."""
    out: list[Any] = []
    if annotation is None:
        return out
    origin = get_origin(annotation)
    if origin is not None:
        args = get_args(annotation)
        if getattr(annotation, "__metadata__", None) is not None:  # Annotated[X, ...]
            out += _instances(args[0])
            for meta in annotation.__metadata__:
                dependency = getattr(meta, "dependency", None)
                if dependency is not None:
                    out.append(dependency)
            return out
        if origin in (Union, types.UnionType) or origin in (list, tuple, set, frozenset, dict):
            for arg in args:
                out += _instances(arg)
        return out
    if isinstance(annotation, types.UnionType):
        for arg in get_args(annotation):
            out += _instances(arg)
        return out
    if isinstance(annotation, type) and _own(annotation):
        out.append(Instance(annotation))
    return out


def _parameter_annotations(
    tree: ast.FunctionDef | ast.AsyncFunctionDef, namespace: dict[str, Any]
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    arguments = tree.args
    for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if arg.annotation is not None:
            out[arg.arg] = _instances(_evaluate(ast.unparse(arg.annotation), namespace))
    return out


@dataclass
class _Plan:
    """What matters in one function's code, found in one walk of its tree (shared by every reading of it)."""

    parameters: list[tuple[str, str]]  # (name, annotation text)
    first: str | None  # the first positional parameter's name (``self``)
    annotated: list[tuple[str, str]]  # ``x: T = ...`` in the body
    binds: list[tuple[list[str], ast.AST, str]]  # (names, expression, "value" | "items")
    calls: list[ast.Call]
    names: list[ast.AST]  # loaded names and attributes that are not a call's callee
    subscripts: list[ast.Subscript]
    branches: list[tuple[ast.expr, set[int], set[int]]]  # ``if``: its test, the ids in its body and its else
    imports: list[tuple[str, str, str | None]]  # a local import: (name bound, module, attribute or None)


def _plan(tree: ast.AST) -> _Plan:
    skip: set[int] = set()

    def skip_subtree(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(child) for child in ast.walk(node))

    parameters: list[tuple[str, str]] = []
    first: str | None = None
    if isinstance(tree, ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = tree.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if arg.annotation is not None:
                parameters.append((arg.arg, ast.unparse(arg.annotation)))
        positional = arguments.posonlyargs + arguments.args
        first = positional[0].arg if positional else None
        # Annotations, defaults and decorators are not code that runs in the call.
        skip_subtree(arguments)
        skip_subtree(tree.returns)
        for decorator in tree.decorator_list:
            skip_subtree(decorator)
    annotated: list[tuple[str, str]] = []
    imports: list[tuple[str, str, str | None]] = []
    binds: list[tuple[list[str], ast.AST, str]] = []
    branches: list[tuple[ast.expr, set[int], set[int]]] = []
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ExceptHandler):
            skip_subtree(node.type)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _TYPE_TESTS:
            for tested in node.args[1:]:
                skip_subtree(tested)
        elif isinstance(node, ast.AnnAssign):
            skip_subtree(node.annotation)
            if isinstance(node.target, ast.Name):
                annotated.append((node.target.id, ast.unparse(node.annotation)))
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imports += [(a.asname or a.name, node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            imports += [
                (a.asname or a.name.partition(".")[0], a.name if a.asname else a.name.partition(".")[0], None)
                for a in node.names
            ]
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            binds.append(([n for t in targets for n in _names(t)], node.value, "value"))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            binds.append((_names(node.optional_vars), node.context_expr, "value"))
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            binds.append((_names(node.target), node.iter, "items"))
        elif isinstance(node, ast.If) and any(isinstance(n, ast.Name) for n in ast.walk(node.test)):
            body = {id(c) for n in node.body for c in ast.walk(n)}
            orelse = {id(c) for n in node.orelse for c in ast.walk(n)}
            branches.append((node.test, body, orelse))
    callees = {id(node.func) for node in nodes if isinstance(node, ast.Call)}
    calls: list[ast.Call] = []
    names: list[ast.AST] = []
    subscripts: list[ast.Subscript] = []
    for node in nodes:
        if id(node) in skip:
            continue
        if isinstance(node, ast.Call):
            calls.append(node)
        elif id(node) in callees:  # read with its call's arguments
            continue
        elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
            names.append(node)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            subscripts.append(node)
    return _Plan(parameters, first, annotated, binds, calls, names, subscripts, branches, imports)


_TYPE_TESTS = frozenset({"isinstance", "issubclass"})


class _Scope:
    """The names of one function: locals typed by annotation or construction, its closure, its module,
    and the constant strings and flags its caller gave."""

    def __init__(self, reader: ProblemReader, node: _Node, plan: _Plan) -> None:
        self.reader = reader
        self.node = node
        func = node.func
        self.globals = func.__globals__
        self.closure: dict[str, Any] = {}
        for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=False):
            try:
                self.closure[name] = cell.cell_contents
            except ValueError:  # an empty cell
                continue
        self.consts = dict(node.consts)
        self.locals: dict[str, list[Any]] = {}
        # (value, constant arguments) for what is called, (value, None) for what is only named
        self.uses: list[tuple[Any, dict[str, str | bool] | None]] = []
        self._seen: set[tuple[int, tuple[tuple[str, str | bool], ...] | None]] = set()
        self._collect(plan)

    def _collect(self, plan: _Plan) -> None:
        for name, annotation in plan.parameters:
            if name not in self.consts:
                self.locals[name] = _instances(_evaluate(annotation, self.globals))
        if plan.first in ("self", "cls") and self.node.self_value is not None:
            self.locals[plan.first] = [self.node.self_value]
        for name, annotation in plan.annotated:
            self.locals.setdefault(name, []).extend(_instances(_evaluate(annotation, self.globals)))
        for name, module, attribute in plan.imports:  # ``from shared.errors import Conflict`` in the body
            if module.split(".", 1)[0] in OWN_PACKAGES:
                try:
                    imported = importlib.import_module(module)
                except ImportError:
                    continue
                value = imported if attribute is None else getattr(imported, attribute, None)
                if value is not None:
                    self.locals[name] = [value]
        # Locals built from a class, a function's annotated result or a container's items; twice, so
        # that one may use another.
        for _ in range(2):
            for names, expression, how in plan.binds:
                if how == "items":
                    results = [i for c in self._resolve(expression) for i in _items(c)]
                else:
                    results = self._results(expression)
                for name in names:
                    known = self.locals.setdefault(name, [])
                    known += [r for r in results if not any(r is k for k in known)]
        # The branch a constant argument rules out: ``check_if_match(..., required=False)`` never raises
        # the 428, and ``act(..., "endorse", ...)`` never runs ``if action == "submit":``.
        dead: set[int] = set()
        for test, body, orelse in plan.branches:
            if id(test) not in dead and (truth := self._truth(test)) is not None:
                dead |= orelse if truth else body
        for call in plan.calls:
            if id(call) not in dead:
                for value in self._resolve(call.func):
                    self._use(value, self._constant_arguments(value, call))
        for node in plan.names:
            if id(node) not in dead:
                for value in self._resolve(node):
                    self._use(value, None)
        for subscript in plan.subscripts:
            if id(subscript) not in dead:
                for container in self._resolve(subscript.value):
                    for value in _items(container):
                        self._use(value, None)

    def _use(self, value: Any, consts: dict[str, str | bool] | None) -> None:
        key = (id(value), None if consts is None else tuple(sorted(consts.items())))
        if key not in self._seen:
            self._seen.add(key)
            self.uses.append((value, consts))

    def _constant_arguments(self, callee: Any, call: ast.Call) -> dict[str, str | bool]:
        """The arguments of ``call`` that are constant strings or booleans, by the callee's parameter names."""
        func = callee.func if isinstance(callee, _BoundPlaceholder) else getattr(callee, "__func__", callee)
        if not isinstance(func, types.FunctionType) or not _own(func):
            return {}
        code = func.__code__
        positional = list(code.co_varnames[: code.co_posonlyargcount + code.co_argcount])
        if isinstance(callee, types.MethodType | _BoundPlaceholder):
            positional = positional[1:]
        out: dict[str, str | bool] = {}
        for name, arg in zip(positional, call.args, strict=False):
            if isinstance(arg, ast.Starred):
                break
            if (value := self._constant(arg)) is not None:
                out[name] = value
        for keyword in call.keywords:
            if keyword.arg is not None and (value := self._constant(keyword.value)) is not None:
                out[keyword.arg] = value
        return out

    def _truth(self, node: ast.AST) -> bool | None:
        """A test's value when the constant arguments decide it, else None."""
        if isinstance(node, ast.Name):
            value = self.consts.get(node.id)
            return value if isinstance(value, bool) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._truth(node.operand)
            return None if inner is None else not inner
        if isinstance(node, ast.BoolOp):
            values = [self._truth(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return False if False in values else (True if all(v is True for v in values) else None)
            return True if True in values else (False if all(v is False for v in values) else None)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.left, ast.Name):
            left = self.consts.get(node.left.id)
            if not isinstance(left, str):
                return None
            right = node.comparators[0]
            if isinstance(right, ast.Constant):
                candidates: Any = right.value
            elif isinstance(right, ast.Tuple | ast.List | ast.Set) and all(
                isinstance(e, ast.Constant) for e in right.elts
            ):
                candidates = {e.value for e in right.elts if isinstance(e, ast.Constant)}
            else:
                found = self._resolve(right)
                if len(found) != 1 or not isinstance(found[0], str | tuple | list | set | frozenset | dict):
                    return None
                candidates = found[0]
            op = node.ops[0]
            if isinstance(op, ast.Eq):
                return bool(left == candidates)
            if isinstance(op, ast.NotEq):
                return bool(left != candidates)
            if isinstance(op, ast.In) and not isinstance(candidates, str):
                return left in candidates
            if isinstance(op, ast.NotIn) and not isinstance(candidates, str):
                return left not in candidates
        return None

    def _constant(self, node: ast.AST) -> str | bool | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bool):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.consts:
            return self.consts[node.id]
        if isinstance(node, ast.Name):
            values = self._resolve(node)
            if len(values) == 1 and isinstance(values[0], str):
                return values[0]
        return None

    # --- resolving names --------------------------------------------------------------------------

    def _resolve(self, node: ast.AST) -> list[Any]:
        if isinstance(node, ast.Name):
            if node.id in self.consts:
                return [self.consts[node.id]]
            if node.id in self.locals:
                return self.locals[node.id]
            if node.id in self.closure:
                return [self.closure[node.id]]
            if node.id in self.globals:
                return [self.globals[node.id]]
            return []
        if isinstance(node, ast.Attribute):
            out: list[Any] = []
            for base in self._resolve(node.value):
                out += self._attribute(base, node.attr)
            return out
        if isinstance(node, ast.Await):
            return self._resolve(node.value)
        if isinstance(node, ast.Call):
            return self._results(node)
        if isinstance(node, ast.Subscript):  # ``ERRORS[kind](...)``: the entry named, else every entry
            key = self._constant(node.slice)
            found: list[Any] = []
            for container in self._resolve(node.value):
                if isinstance(container, dict) and isinstance(key, str) and key in container:
                    found.append(container[key])
                else:
                    found += _items(container)
            return found
        return []

    def _results(self, node: ast.AST) -> list[Any]:
        """What an expression gives, when it is a call: an ``Instance`` of the class called, or of the
        class a called function's result is annotated with; otherwise the expression's values."""
        if isinstance(node, ast.Await):
            node = node.value
        if not isinstance(node, ast.Call):
            return [v for v in self._resolve(node) if not isinstance(v, str | int | float | bool | type(None))]
        out: list[Any] = []
        for value in self._resolve(node.func):
            if isinstance(value, type) and _own(value):
                out.append(Instance(value))
            else:
                func = value.func if isinstance(value, _BoundPlaceholder) else getattr(value, "__func__", value)
                if isinstance(func, types.FunctionType) and _own(func):
                    returns = func.__annotations__.get("return")
                    out += [r for r in _instances(_evaluate(returns, func.__globals__)) if isinstance(r, Instance)]
        return out

    def _attribute(self, base: Any, name: str) -> list[Any]:
        if isinstance(base, Instance):
            member = _static(base.cls, name)
            if isinstance(member, types.FunctionType):
                return [_BoundPlaceholder(member, base)]
            if isinstance(member, staticmethod | classmethod | property):
                return [member]
            if member is not None and not _is_data(member):
                return [member]
            return self.reader.attribute_types(base.cls).get(name, [])
        if isinstance(base, types.ModuleType | type):
            member = _static(base, name)
            if isinstance(member, staticmethod | classmethod):
                return [member.__func__]
            return [] if member is None else [member if isinstance(base, type) else getattr(base, name, member)]
        if _own(type(base)):
            member = _static(base, name)
            if isinstance(member, types.FunctionType):
                return [types.MethodType(member, base)]
            if member is not None:
                return [member]
            return self.reader.attribute_types(type(base)).get(name, [])
        return []


def _items(container: Any) -> list[Any]:
    """The values a live container holds (a dict's values), none for anything else."""
    if isinstance(container, dict):
        return list(container.values())
    if isinstance(container, list | tuple | set | frozenset):
        return list(container)
    return []


def _is_data(value: Any) -> bool:
    return isinstance(value, str | int | float | bytes | bool | type(None))


def _names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [n for element in target.elts for n in _names(element)]
    return []


def route_callables(route: Any) -> list[Callable[..., Any]]:
    """A FastAPI route's endpoint and every dependency it runs (``route.dependant``, recursively)."""
    out: list[Callable[..., Any]] = []
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        if dependant.call is not None:
            out.append(dependant.call)
        stack.extend(dependant.dependencies)
    if not out and getattr(route, "endpoint", None) is not None:
        out.append(route.endpoint)
    return out
