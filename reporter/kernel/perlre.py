"""get_maintainer.pl's `N:` regexes run by RE2, so matching costs time linear in the path whatever the pattern.

get_maintainer.pl searches each path with `m/$value/x`: a Perl regex in extended mode, over the path's bytes.
Here the pattern is read as Perl reads it (whitespace and `#` comments dropped outside classes, `\\s` with
the vertical tab, `$` also before a final newline, bytes not characters) and written out in RE2's syntax.
Perl features RE2 lacks are translated where an exact equivalent exists (a literal lookbehind at the start
of the pattern, a literal lookahead at its end: RE2 consumes the text the assertion looks at, which changes
nothing for a search) and refused otherwise (`Unsupported`): backreferences, atomic groups, possessive
quantifiers, recursion, conditionals, embedded code, other lookarounds. A refused line matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol, cast

import re2

from reporter.model import encoded

# Perl's \s (since 5.18) holds the vertical tab; RE2's does not.
_SPACE = "\\t\\n\\x0B\\f\\r "
# Perl's `$` and `\Z` also match before a final newline: written as taking that newline, which is exact
# where nothing follows them (`_at_end`).
_END = "(?:\\n?\\z)"
_ESCAPES = {"s": f"[{_SPACE}]", "S": f"[^{_SPACE}]"}
_REFUSED_ESCAPES = {
    **dict.fromkeys("123456789gk", "a backreference"),
    **dict.fromkeys("QEULul", "a string-interpolation escape (Perl takes it literally in a pattern from data)"),
    **dict.fromkeys("KGRXhHvVNCc", "a Perl escape RE2 does not have"),
}
_BRACED_ESCAPES = frozenset("xpPo")  # \x{41}, \p{L}: the braces belong to the escape
_REFUSED_GROUPS = (
    ("(?>", "an atomic group"),
    ("(?|", "a branch reset group"),
    ("(?{", "embedded code"),
    ("(??", "embedded code"),
    ("(?(", "a conditional"),
    ("(?R", "recursion"),
    ("(?&", "recursion"),
    ("(?P>", "recursion"),
    ("(?P=", "a backreference"),
    ("(*", "a backtracking control verb"),
)
_LOOKAROUNDS = (("(?<=", False, False), ("(?<!", False, True), ("(?=", True, False), ("(?!", True, True))
_NAMED = re.compile(r"\(\?P?<[A-Za-z_]\w*>|\(\?'[A-Za-z_]\w*'")
_FLAGS = re.compile(r"\(\?([a-zA-Z^]*)(?:-([a-zA-Z]*))?([:)])")
_COUNTED = re.compile(r"\{(?:\d+(?:,\d*)?|,\d+)\}")  # `{,n}` is `{0,n}` since Perl 5.34
_META = frozenset(".^$|()[]{}*+?\\")
# The memory of a program, its DFA's cache included (RE2's max_mem): past it RE2 falls back from its DFA to its
# NFA, slower but as linear and as exact. A line whose program does not fit in the least is refused.
LEAST_MEMORY = 64 << 10
JOINED_MEMORY = 8 << 20  # one program for many lines
SHARED_MEMORY = 64 << 20  # a file's N: programs together: each has its share (see SectionIndex)


class Unsupported(ValueError):
    """A Perl regex that RE2 cannot run as Perl would; the message says why."""


class Matcher(Protocol):
    def search(self, text: bytes) -> object: ...


class _Program(Matcher, Protocol):
    programsize: int


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "atom", "quantifier", "bar" (a top-level `|`) or "look"
    text: str
    depth: int = 0
    ahead: bool = False  # for "look": lookahead, else lookbehind
    negated: bool = False


def translate(pattern: str) -> str:
    """RE2 syntax (over Latin-1 text, one character per byte) for the paths Perl's `m/PATTERN/x` finds."""
    if not pattern:
        raise Unsupported("an empty pattern (Perl would reuse the last pattern that matched)")
    tokens = _scan(encoded(pattern).decode("latin-1"))
    alternatives: list[list[_Token]] = [[]]
    for token in tokens:
        if token.kind == "bar":
            alternatives.append([])
        else:
            alternatives[-1].append(token)
    return "|".join("".join(_resolved(alternative)) for alternative in alternatives)


def compile_all(patterns: Sequence[str], memory: int = JOINED_MEMORY) -> Matcher:
    """A matcher that finds a path when any of `patterns` would, in `memory` at most: one RE2 program (one
    pass over the path) when it fits, else one per pattern, each with its share."""
    share = max(memory // len(patterns), LEAST_MEMORY)
    return joined(patterns, memory) or _Each(tuple(_compile(translate(p), share) for p in patterns))


def joined(patterns: Sequence[str], memory: int = JOINED_MEMORY) -> Matcher | None:
    """One program finding a path when any of `patterns` would, or None when it needs more than `memory`
    (or a pattern is refused)."""
    try:
        return _compile("|".join(f"(?:{translate(p)})" for p in patterns), memory)
    except Unsupported:
        return None


@dataclass(frozen=True, slots=True)
class _Each:
    matchers: tuple[Matcher, ...]

    def search(self, text: bytes) -> object:
        return next((found for m in self.matchers if (found := m.search(text)) is not None), None)


def check(pattern: str) -> int:
    """The size of `pattern`'s program (RE2's instructions); Unsupported when it cannot be run, with the
    reason (RE2's own, for what it rejects)."""
    return _compile(translate(pattern), LEAST_MEMORY).programsize


def search(matcher: Matcher, path: str) -> bool:
    return matcher.search(encoded(path)) is not None


def _compile(text: str, memory: int) -> _Program:
    """Not cached here: a program held by no one is freed with its DFA's memory (callers keep what they use)."""
    try:
        return cast(_Program, re2.compile(text.encode("latin-1"), _options(memory)))
    except re2.error as err:
        reason = err.args[0].decode("utf-8", "replace") if err.args and isinstance(err.args[0], bytes) else err
        raise Unsupported(f"RE2 rejects it: {reason}") from None


@cache
def _options(memory: int) -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a bad line is reported once, as a warning naming it
    options.encoding = re2.Options.Encoding.LATIN1  # bytes, as Perl sees a path it read from git
    options.never_capture = True
    options.max_mem = memory
    return options


def _resolved(tokens: list[_Token]) -> list[str]:
    """An alternative's text with its lookarounds written as what they let through (see the module's note)."""
    out = []
    for i, token in enumerate(tokens):
        if token.kind == "end" and not _at_end(tokens, i):
            raise Unsupported("`$` or `\\Z` followed by more pattern")
        if token.kind != "look":
            out.append(token.text)
            continue
        at_edge = (i == len(tokens) - 1) if token.ahead else i == 0
        followed = i + 1 < len(tokens) and tokens[i + 1].kind == "quantifier"
        if token.depth or not at_edge or followed:
            raise Unsupported("a lookaround that is not a literal one at the start or end of the pattern")
        out.append(_look(token))
    return out


def _at_end(tokens: list[_Token], i: int) -> bool:
    """Whether nothing can match after tokens[i]: what follows it, in its alternative and in those of the
    groups around it, is only other ends, quantifiers and closing parentheses."""
    depth = tokens[i].depth
    j = i + 1
    while j < len(tokens):
        token = tokens[j]
        if token.text == "|" and token.depth == depth:  # the rest of this group is another alternative
            j = next(
                (k for k in range(j, len(tokens)) if tokens[k].text == ")" and tokens[k].depth < depth), len(tokens)
            )
            continue
        if token.text == ")":
            depth = token.depth
        elif token.kind not in ("end", "quantifier"):
            return False
        j += 1
    return True


def _look(token: _Token) -> str:
    body = token.text
    if not token.negated:
        return _literal(body)
    if token.ahead:  # the text after does not start with body
        return "(?:" + "|".join(_literal(body[:j]) + f"(?:\\z|[^{_hex(body[j])}])" for j in range(len(body))) + ")"
    # The text before does not end with body: it ends with a mismatch at some place, or is shorter.
    k = len(body)
    return "(?:" + "|".join(f"(?:^|[^{_hex(body[k - 1 - j])}])" + _literal(body[k - j :]) for j in range(k)) + ")"


def _hex(char: str) -> str:
    return f"\\x{{{ord(char):02x}}}"


def _literal(text: str) -> str:
    return "".join(_hex(c) for c in text)


def _scan(s: str) -> list[_Token]:
    tokens: list[_Token] = []
    depth = 0
    i = 0
    while i < len(s):
        char = s[i]
        if char in " \t\n\r\f\v":  # /x: layout, not pattern
            i += 1
        elif char == "#":  # /x: a comment to the end of the line, and a value is one line
            break
        elif s.startswith("\\Z", i):
            tokens.append(_Token("end", _END, depth))
            i += 2
        elif char == "\\":
            text, i = _escape(s, i, in_class=False)
            tokens.append(_Token("atom", text, depth))
        elif char == "[":
            text, i = _bracket(s, i)
            tokens.append(_Token("atom", text, depth))
        elif char == "(":
            token, i = _group(s, i, depth)
            if token is not None:
                tokens.append(token)
                depth += token.kind == "atom" and token.text.endswith(("(", ":"))
        elif char == ")":
            depth -= 1
            if depth < 0:  # checked here, not left to RE2: the section's lines are compiled together
                raise Unsupported("an unmatched )")
            tokens.append(_Token("atom", ")", depth))
            i += 1
        elif char == "|" and depth == 0:
            tokens.append(_Token("bar", "|"))
            i += 1
        elif char in "*+?" or (char == "{" and _COUNTED.match(s, i)):
            text, i = _quantifier(s, i, tokens)
            tokens.append(_Token("quantifier", text, depth))
        else:
            tokens.append(_Token("end" if char == "$" else "atom", _END if char == "$" else char, depth))
            i += 1
    if depth:
        raise Unsupported("an unmatched (")
    return tokens


def _quantifier(s: str, i: int, before: list[_Token]) -> tuple[str, int]:
    if before and before[-1].kind == "quantifier":
        if s[i] == "+":
            raise Unsupported("a possessive quantifier")
        raise Unsupported("a nested quantifier")
    counted = _COUNTED.match(s, i)
    end = counted.end() if counted and s[i] == "{" else i + 1
    text = s[i:end].replace("{,", "{0,")
    if end < len(s) and s[end] == "?":  # lazy: the same paths are found
        return text + "?", end + 1
    return text, end


def _escape(s: str, i: int, in_class: bool) -> tuple[str, int]:
    """The escape at s[i] == "\\" in RE2's syntax, and the index after it."""
    if i + 1 >= len(s):
        raise Unsupported("a trailing backslash")
    char = s[i + 1]
    if char in _REFUSED_ESCAPES:
        raise Unsupported(f"\\{char} is {_REFUSED_ESCAPES[char]}")
    if char in _ESCAPES:
        if in_class and char != "s":
            raise Unsupported(f"\\{char} inside a character class")
        return (_SPACE if in_class else _ESCAPES[char]), i + 2
    if char in _BRACED_ESCAPES and i + 2 < len(s) and s[i + 2] == "{":
        end = s.find("}", i + 2)
        if end < 0:
            raise Unsupported(f"an unterminated \\{char}{{")
        return s[i : end + 1], end + 1
    if not char.isalnum():
        return _hex(char), i + 2  # an escaped space or `#` stays a character outside /x's layout
    return s[i : i + 2], i + 2


def _bracket(s: str, i: int) -> tuple[str, int]:
    """The character class at s[i] == "[" (its text kept: no /x layout inside), and the index after it."""
    out = ["["]
    j = i + 1
    if j < len(s) and s[j] == "^":
        out.append("^")
        j += 1
    if j < len(s) and s[j] == "]":
        out.append("\\]")
        j += 1
    while j < len(s):
        char = s[j]
        if char == "]":
            return "".join(out) + "]", j + 1
        if char == "\\":
            text, j = _escape(s, j, in_class=True)
            out.append(text)
        elif s.startswith("[:", j) and (end := s.find(":]", j + 2)) >= 0:
            out.append(s[j : end + 2])
            j = end + 2
        else:
            out.append(_hex(char) if char in "[" else char)
            j += 1
    raise Unsupported("an unterminated character class")


def _group(s: str, i: int, depth: int) -> tuple[_Token | None, int]:
    """The group opening at s[i] == "(": its RE2 opener (None for a comment), and the index after it."""
    for prefix, reason in _REFUSED_GROUPS:
        if s.startswith(prefix, i):
            raise Unsupported(f"{prefix} is {reason}")
    for prefix, ahead, negated in _LOOKAROUNDS:
        if s.startswith(prefix, i):
            body, end = _look_body(s, i + len(prefix))
            return _Token("look", body, depth, ahead, negated), end
    if s.startswith("(?#", i):
        end = s.find(")", i)
        if end < 0:
            raise Unsupported("an unterminated (?# comment")
        return None, end + 1
    if named := _NAMED.match(s, i):
        return _Token("atom", "(?:", depth), named.end()
    if not s.startswith("(?", i):
        return _Token("atom", "(", depth), i + 1
    flags = _FLAGS.match(s, i)
    if flags is None:
        raise Unsupported(f"the group {s[i : i + 3]!r} is not one RE2 has")
    on, off, close = flags.group(1), flags.group(2) or "", flags.group(3)
    if "x" in off or "^" in on or set(on + off) - set("imsx"):
        raise Unsupported(f"the modifiers {flags.group(0)!r} (RE2 has i, m and s; /x is always on here)")
    on = on.replace("x", "")
    prefix = f"(?{on}-{off}" if off else f"(?{on}" if on else "(?"
    if close == ")":
        return _Token("atom", prefix + ")" if prefix != "(?" else "", depth), flags.end()
    return _Token("atom", prefix + ":", depth), flags.end()


def _look_body(s: str, i: int) -> tuple[str, int]:
    """The literal text a lookaround tests, and the index after its `)`; anything else is refused."""
    body = []
    while i < len(s) and s[i] != ")":
        char = s[i]
        if char in " \t\n\r\f\v":
            i += 1
        elif char == "\\" and i + 1 < len(s) and not s[i + 1].isalnum():
            body.append(s[i + 1])
            i += 2
        elif char in _META or char == "#":
            raise Unsupported("a lookaround that tests more than literal text")
        else:
            body.append(char)
            i += 1
    if i >= len(s) or not body:
        raise Unsupported("an unterminated or empty lookaround")
    return "".join(body), i + 1
