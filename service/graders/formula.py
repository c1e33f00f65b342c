"""A multi grader's `calculate_output`: arithmetic over its sub-graders' names, never `eval`.

The formula is parsed by Python's `ast` as one expression, then every node is checked against
a whitelist: numbers, the sub-graders' names, `+ - * /`, `^` and `**` (both are powers, `^` as
OpenAI's guide writes it), unary `+ -`, parentheses, and calls of min, max, abs, sqrt, log,
exp, floor and ceil by name. Attribute access, subscripts, comparisons, lambdas, keywords,
strings and any other name are refused before anything is computed. Evaluation walks the
checked tree over floats; a math failure (division by zero, log of a negative, overflow, a
non-finite result) is a FormulaError.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping

MAX_FORMULA_LENGTH = 1000
# Deeper trees are refused so that checking and evaluating never approach the recursion limit.
MAX_DEPTH = 50


class FormulaError(Exception):
    """The formula is refused, or cannot be computed for these values."""


def _floor(x: float) -> float:
    return float(math.floor(x))


def _ceil(x: float) -> float:
    return float(math.ceil(x))


# name -> (function, least arguments, most arguments or None for any number)
FUNCTIONS: dict[str, tuple[Callable[..., float], int, int | None]] = {
    "min": (min, 1, None),
    "max": (max, 1, None),
    "abs": (abs, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "log": (math.log, 1, 2),
    "exp": (math.exp, 1, 1),
    "floor": (_floor, 1, 1),
    "ceil": (_ceil, 1, 1),
}

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    # math.pow, not **: a negative base with a fractional exponent is a domain error, not a
    # complex number, and an overflow raises instead of building a huge integer.
    ast.Pow: math.pow,
    ast.BitXor: math.pow,
}


class Formula:
    """A checked calculate_output; `evaluate` computes it for the sub-graders' rewards."""

    def __init__(self, source: str, names: Iterable[str]):
        self.source = source
        self.names = frozenset(names)
        if len(source) > MAX_FORMULA_LENGTH:
            raise FormulaError(f"it is longer than {MAX_FORMULA_LENGTH} characters")
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            reason = exc.msg if isinstance(exc, SyntaxError) else str(exc)
            raise FormulaError(f"it is not an arithmetic expression ({reason})") from None
        self._tree = tree.body
        self._check(self._tree, 0)

    def _check(self, node: ast.expr, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise FormulaError(f"it nests deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise FormulaError(f"{node.value!r} is not a number")
        elif isinstance(node, ast.Name):
            if node.id not in self.names:
                known = ", ".join(sorted(self.names)) or "none"
                raise FormulaError(f"'{node.id}' is not one of the graders ({known})")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise FormulaError(f"the operator {type(node.op).__name__} is not allowed")
            self._check(node.left, depth + 1)
            self._check(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.UAdd | ast.USub):
                raise FormulaError(f"the operator {type(node.op).__name__} is not allowed")
            self._check(node.operand, depth + 1)
        elif isinstance(node, ast.Call):
            self._check_call(node, depth)
        else:
            raise FormulaError(f"{type(node).__name__} is not allowed")

    def _check_call(self, node: ast.Call, depth: int) -> None:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise FormulaError(f"only these functions may be called: {allowed}")
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise FormulaError(f"{node.func.id}() takes plain arguments only")
        _, least, most = FUNCTIONS[node.func.id]
        if len(node.args) < least or (most is not None and len(node.args) > most):
            count = f"{least}" if least == most else f"{least} to {most}" if most else f"{least}+"
            raise FormulaError(f"{node.func.id}() takes {count} arguments, not {len(node.args)}")
        for arg in node.args:
            self._check(arg, depth + 1)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The formula's value; FormulaError when the arithmetic fails or is not finite."""
        try:
            result = self._evaluate(self._tree, values)
        except (ArithmeticError, ValueError) as exc:
            raise FormulaError(f"it cannot be computed: {exc}") from None
        if not math.isfinite(result):
            raise FormulaError(f"its value is {result}, not a finite number")
        return result

    def _evaluate(self, node: ast.expr, values: Mapping[str, float]) -> float:
        if isinstance(node, ast.Constant):
            # _check admitted only int and float constants.
            assert isinstance(node.value, int | float)
            return float(node.value)
        if isinstance(node, ast.Name):
            return float(values[node.id])
        if isinstance(node, ast.BinOp):
            left = self._evaluate(node.left, values)
            right = self._evaluate(node.right, values)
            return float(_BINARY[type(node.op)](left, right))
        if isinstance(node, ast.UnaryOp):
            operand = self._evaluate(node.operand, values)
            return -operand if isinstance(node.op, ast.USub) else operand
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        function = FUNCTIONS[node.func.id][0]
        return float(function(*(self._evaluate(arg, values) for arg in node.args)))
