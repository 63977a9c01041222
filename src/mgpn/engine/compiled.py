"""Predicates compiled once into Python closures, so evaluating a case walks no rule tree.

:func:`mgpn.engine.logic.interpret` is the definition: it dispatches on each node's
type, re-reads each leaf's operator and lower-cases its words on every call.
:func:`compiled` does that work once per predicate (the knowledge base is immutable):
a leaf becomes a closure with its path, operator, threshold name and word sets bound;
a combinator calls its children's closures directly and stops as soon as the answer is
decided (the Kleene result of ``all`` is false at the first false, of ``any`` true at
the first true: stopping early never changes it, and predicates have no side effects).
``tests/engine/test_compiled.py`` checks the two agree on every predicate of the
knowledge base over generated cases, and on the full assessment of every vignette.

A whole predicate tree becomes one Python function (:func:`_generate`): the combinators
and the simple leaves are written out as straight-line code, so evaluating a criterion
is one call instead of one per node (a criterion has four nodes on average, and a case
runs about 850). Leaves with more to do (numeric, text matching, earlier results) stay
closures the generated code calls.
"""

from __future__ import annotations

from collections.abc import Callable

from mgpn.engine import logic
from mgpn.engine.logic import Facts, Interval, Truth, as_interval
from mgpn.knowledge import predicates as p

Compiled = Callable[[Facts], Truth]

# id(predicate) -> (predicate, closure). The predicate is kept so its id is never reused
# by another object while the entry lives; knowledge bases are few and immutable.
_CACHE: dict[int, tuple[object, Compiled]] = {}
_LIMIT = 200_000


def compiled(predicate: p.Predicate) -> Compiled:
    """The closure evaluating ``predicate`` (built on first use, then reused)."""
    entry = _CACHE.get(id(predicate))
    if entry is not None and entry[0] is predicate:
        return entry[1]
    function = _compile(predicate)
    if len(_CACHE) >= _LIMIT:  # many knowledge bases loaded (tests): start afresh
        _CACHE.clear()
    _CACHE[id(predicate)] = (predicate, function)
    return function


def _compile(node: p.Predicate) -> Compiled:
    if isinstance(node, p.AllOf | p.AnyOf | p.AnyKnown | p.AtLeastN | p.NotOf):
        try:
            return _generate(node)
        except (_CannotWrite, SyntaxError, RecursionError):  # e.g. nested too deep
            pass
    return _closure(node)


def _closure(node: p.Predicate) -> Compiled:
    if isinstance(node, p.Leaf):
        return _leaf(node)
    if isinstance(node, p.AllOf):
        return _all(tuple(compiled(item) for item in node.all))
    if isinstance(node, p.AnyOf):
        return _any(tuple(compiled(item) for item in node.any))
    if isinstance(node, p.AnyKnown):
        return _any_known(tuple(compiled(item) for item in node.any_known))
    if isinstance(node, p.NotOf):
        inner = compiled(node.not_)

        def not_(facts: Facts) -> Truth:
            value = inner(facts)
            return None if value is None else not value

        return not_
    if isinstance(node, p.AtLeastN):
        return _at_least(node.at_least_n.n, tuple(compiled(item) for item in node.at_least_n.of))
    if isinstance(node, p.UnknownOf):
        unknown_inner = compiled(node.unknown)
        return lambda facts: unknown_inner(facts) is None
    if isinstance(node, p.NotTrue):
        true_inner = compiled(node.not_true)
        return lambda facts: true_inner(facts) is not True
    if isinstance(node, p.CriterionRef):
        criterion = node.criterion
        return lambda facts: facts.criterion(criterion)
    if isinstance(node, p.SyndromeRef):
        return _status_ref(tuple(node.syndrome), frozenset(node.status_in), "syndrome")
    if isinstance(node, p.MimicRef):
        return _status_ref(tuple(node.mimic), frozenset(node.status_in), "mimic")
    if isinstance(node, p.LinkRef):
        allowed = frozenset(node.link_in)

        def link(facts: Facts) -> Truth:
            status = facts.link_status()
            return None if status is None else status in allowed

        return link
    # A kind this compiler does not know yet: the interpreter's answer, still correct.
    return lambda facts: logic.interpret(node, facts)


def _all(children: tuple[Compiled, ...]) -> Compiled:
    def all_(facts: Facts) -> Truth:
        unknown = False
        for child in children:
            value = child(facts)
            if value is False:
                return False
            if value is None:
                unknown = True
        return None if unknown else True

    return all_


def _any(children: tuple[Compiled, ...]) -> Compiled:
    def any_(facts: Facts) -> Truth:
        unknown = False
        for child in children:
            value = child(facts)
            if value is True:
                return True
            if value is None:
                unknown = True
        return None if unknown else False

    return any_


def _any_known(children: tuple[Compiled, ...]) -> Compiled:
    def any_known(facts: Facts) -> Truth:
        known_false = False
        for child in children:
            value = child(facts)
            if value is True:
                return True
            if value is False:
                known_false = True
        return False if known_false else None

    return any_known


def _at_least(n: int, children: tuple[Compiled, ...]) -> Compiled:
    def count(facts: Facts) -> Truth:
        true = unknown = 0
        for child in children:
            value = child(facts)
            if value is True:
                true += 1
                if true >= n:
                    return True
            elif value is None:
                unknown += 1
        return False if true + unknown < n else None

    return count


def _status_ref(ids: tuple[str, ...], allowed: frozenset[str], kind: str) -> Compiled:
    names = list(ids)

    def status(facts: Facts) -> Truth:
        read = facts.syndrome_status if kind == "syndrome" else facts.mimic_status
        unknown = False
        for ident in facts.members(names):  # named sets (meta.yaml) expanded, cached
            found = read(ident)
            if found is None:
                unknown = True
            elif found in allowed:
                return True
        return None if unknown else False

    return status


def _leaf(leaf: p.Leaf) -> Compiled:
    path = leaf.path
    if leaf.present is not None:
        wanted = leaf.present
        return lambda facts: (facts.value(path) is not None) is wanted
    if leaf.threshold_name is not None:
        return _numeric(leaf)
    if leaf.is_ is not None:
        target = leaf.is_
        if isinstance(target, bool):

            def is_bool(facts: Facts) -> Truth:
                value = facts.value(path)
                if value is None:
                    return None
                return value is target if isinstance(value, bool) else False

            return is_bool
        word = target.lower()

        def is_word(facts: Facts) -> Truth:
            value = facts.value(path)
            if value is None:
                return None
            return isinstance(value, str) and value.lower() == word

        return is_word
    if leaf.in_ is not None:
        allowed = frozenset(item.lower() for item in leaf.in_)

        def in_(facts: Facts) -> Truth:
            value = facts.value(path)
            if value is None:
                return None
            return isinstance(value, str) and value.lower() in allowed

        return in_
    if leaf.contains_any is not None:
        wanted_items = frozenset(item.lower() for item in leaf.contains_any)

        def contains(facts: Facts) -> Truth:
            items = _strings(facts.value(path))
            if items is None:
                return None
            return any(item in wanted_items for item in items)

        return contains
    assert leaf.mentions_any is not None  # the schema guarantees one operator
    words = tuple(word.lower() for word in leaf.mentions_any)

    def mentions(facts: Facts) -> Truth:
        items = _strings(facts.value(path))
        if items is None:
            return None
        return any(word in item for item in items for word in words)

    return mentions


def _strings(value: object) -> list[str] | None:
    # As the interpreter: a missing value is unknown; one text or a list of them.
    if value is None:
        return None
    if isinstance(value, str):
        return [value.lower()]
    if isinstance(value, list | tuple):
        return [str(item).lower() for item in value]
    return None


def _numeric(leaf: p.Leaf) -> Compiled:
    operator = leaf.numeric_operator
    name = leaf.threshold_name
    assert operator is not None and name is not None  # guaranteed by the schema
    path, minus = leaf.path, leaf.minus
    below_side = operator in ("below", "at_most")

    def numeric(facts: Facts) -> Truth:
        threshold = facts.threshold(name)
        measured = as_interval(facts.value(path))
        if isinstance(measured, str):
            # See logic._numeric: a bare "negative" is below every threshold of its field.
            if minus is not None or measured != "negative":
                return None
            return below_side
        if measured is None:
            return None
        if minus is not None:
            other = as_interval(facts.value(minus))
            if not isinstance(other, Interval):
                return None
            measured = measured.minus(other)
        return logic._compare(operator, measured, threshold)

    return numeric


class _Writer:
    """Python source for predicate trees: each node's truth goes to a local ``rN``.

    ``earlier``, when given, maps each criterion id of a rule set to the local holding
    its truth so far: a whole rule set is then one function (see :func:`criteria`).
    """

    def __init__(self, earlier: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, object] = {}
        self.count = 0
        self.earlier = earlier

    def constant(self, value: object) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name

    def local(self) -> str:
        self.count += 1
        return f"r{self.count}"

    def emit(self, line: str, depth: int) -> None:
        self.lines.append("    " * depth + line)

    def read(self, path: str, depth: int) -> str:
        """Code reading the case value at ``path`` into a new local; return its name."""
        local = self.local()
        if self.earlier is None:
            self.emit(f"{local} = value({path!r})", depth)
        else:  # a rule set's function is given CaseFacts: its cache first, without a call
            self.emit(f"{local} = values.get({path!r}, MISSING)", depth)
            self.emit(f"if {local} is MISSING:", depth)
            self.emit(f"{local} = value({path!r})", depth + 1)
        return local

    def node(self, node: p.Predicate, depth: int) -> str:
        """Write code leaving ``node``'s truth in a new local; return its name."""
        target = self.local()
        if isinstance(node, p.AllOf | p.AnyOf | p.AnyKnown):
            children = node.all if isinstance(node, p.AllOf) else (
                node.any if isinstance(node, p.AnyOf) else node.any_known
            )
            # all: False at the first false, else None if any unknown, else True.
            # any: True at the first true, else None if any unknown, else False.
            # any_known: True at the first true, else False if any false, else None.
            stop, start, seen = (
                (False, True, None) if isinstance(node, p.AllOf)
                else (True, False, None) if isinstance(node, p.AnyOf)
                else (True, None, False)
            )  # fmt: skip
            self.emit(f"{target} = {start}", depth)
            self.emit("while True:", depth)
            for child in children:
                value = self.node(child, depth + 1)
                self.emit(f"if {value} is {stop}:", depth + 1)
                self.emit(f"{target} = {stop}", depth + 2)
                self.emit("break", depth + 2)
                self.emit(f"if {value} is {seen}:", depth + 1)
                self.emit(f"{target} = {seen}", depth + 2)
            self.emit("break", depth + 1)
        elif isinstance(node, p.AtLeastN):
            n = node.at_least_n.n
            true, unknown = self.local(), self.local()
            self.emit(f"{true} = {unknown} = 0", depth)
            self.emit(f"{target} = None", depth)
            self.emit("while True:", depth)
            for child in node.at_least_n.of:
                value = self.node(child, depth + 1)
                self.emit(f"if {value} is True:", depth + 1)
                self.emit(f"{true} += 1", depth + 2)
                self.emit(f"if {true} >= {n}:", depth + 2)
                self.emit(f"{target} = True", depth + 3)
                self.emit("break", depth + 3)
                self.emit(f"elif {value} is None:", depth + 1)
                self.emit(f"{unknown} += 1", depth + 2)
            self.emit(f"if {true} + {unknown} < {n}:", depth + 1)
            self.emit(f"{target} = False", depth + 2)
            self.emit("break", depth + 1)
        elif isinstance(node, p.NotOf):
            value = self.node(node.not_, depth)
            self.emit(f"{target} = None if {value} is None else not {value}", depth)
        elif isinstance(node, p.UnknownOf):
            value = self.node(node.unknown, depth)
            self.emit(f"{target} = {value} is None", depth)
        elif isinstance(node, p.NotTrue):
            value = self.node(node.not_true, depth)
            self.emit(f"{target} = {value} is not True", depth)
        elif isinstance(node, p.CriterionRef):
            if self.earlier is None:
                self.emit(f"{target} = facts.criterion({node.criterion!r})", depth)
            else:  # a criterion not (yet) evaluated in this set is unknown
                self.emit(f"{target} = {self.earlier.get(node.criterion, 'None')}", depth)
        elif isinstance(node, p.Leaf) and node.present is not None:
            value = self.read(node.path, depth)
            self.emit(f"{target} = ({value} is not None) is {node.present}", depth)
        elif isinstance(node, p.Leaf) and isinstance(node.is_, bool):
            value = self.read(node.path, depth)
            self.emit(
                f"{target} = None if {value} is None else "
                f"({value} is {node.is_} if {value}.__class__ is bool else False)",
                depth,
            )
        elif isinstance(node, p.Leaf) and isinstance(node.is_, str):
            value = self.read(node.path, depth)
            self.emit(
                f"{target} = None if {value} is None else "
                f"(isinstance({value}, str) and {value}.lower() == {node.is_.lower()!r})",
                depth,
            )
        elif isinstance(node, p.Leaf) and node.in_ is not None:
            allowed = self.constant(frozenset(item.lower() for item in node.in_))
            value = self.read(node.path, depth)
            self.emit(
                f"{target} = None if {value} is None else "
                f"(isinstance({value}, str) and {value}.lower() in {allowed})",
                depth,
            )
        elif isinstance(node, p.Leaf | p.SyndromeRef | p.MimicRef | p.LinkRef):
            # Leaves with more work, and earlier results: the closure, called.
            function = self.constant(compiled(node))
            self.emit(f"{target} = {function}(facts)", depth)
        else:  # a kind written here only by its closure (may read the criteria of facts)
            raise _CannotWrite(type(node).__name__)
        return target

    def function(self, name: str, body: list[str], result: str) -> Callable[..., object]:
        header = ["    value = facts.value"]
        if self.earlier is not None:
            header.append("    values = facts.values")
        source = "\n".join([f"def {name}(facts):", *header, *body, f"    return {result}"])
        namespace: dict[str, object] = {**self.constants, "MISSING": _MISSING}
        exec(compile(source, f"<{name}>", "exec"), namespace)
        function = namespace[name]
        assert callable(function)
        return function


class _CannotWrite(Exception):
    pass


_MISSING = object()


def _generate(node: p.Predicate) -> Compiled:
    writer = _Writer()
    result = writer.node(node, 1)
    return writer.function("predicate", writer.lines, result)  # type: ignore[return-value]


CriteriaFunction = Callable[[Facts], list[Truth]]


def criteria(ids: tuple[str, ...], predicates: list[p.Predicate]) -> CriteriaFunction | None:
    """One function giving the truths of a rule set's criteria, in order, or None.

    It takes :class:`mgpn.engine.facts.CaseFacts` (it reads their value cache directly).

    A criterion may refer to earlier criteria of its set: each truth is a local the later
    ones read (a criterion not evaluated yet is unknown, as in the scoped facts of
    :func:`mgpn.engine.rules.evaluate_criteria`). None when a predicate cannot be
    written out (too deeply nested, or a kind only the interpreter knows); the caller
    then evaluates criterion by criterion.
    """
    if not GENERATE:
        return None
    earlier: dict[str, str] = {}
    writer = _Writer(earlier)
    results = []
    try:
        for ident, predicate in zip(ids, predicates, strict=True):
            result = writer.node(predicate, 1)
            earlier[ident] = result
            results.append(result)
        function = writer.function("criteria", writer.lines, "[" + ", ".join(results) + "]")
    except (_CannotWrite, SyntaxError, RecursionError):
        return None
    return function  # type: ignore[return-value]


def for_case_facts(predicate: p.Predicate) -> Compiled:
    """``predicate`` for the engine's own :class:`mgpn.engine.facts.CaseFacts` outside any
    rule set (tests, treatment, scope): one function reading their value cache directly.

    No criterion is in scope there, so a criterion reference is unknown, as
    ``facts.criterion`` would answer.
    """
    if GENERATE:
        writer = _Writer({})
        try:
            result = writer.node(predicate, 1)
            return writer.function("predicate", writer.lines, result)  # type: ignore[return-value]
        except (_CannotWrite, SyntaxError, RecursionError):
            pass
    return compiled(predicate)


# Tests and the benchmark turn generation off to run the closures (or the interpreter).
GENERATE = True
