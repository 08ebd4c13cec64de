"""Token mutants of real VQL texts, for accept/reject agreement with vfilter's parser.

Each mutant applies one to three edits at token boundaries of a seed text (a whole query text or
one of its statements): delete a token, duplicate it, swap two neighbours, or insert an operator,
a bracket, a keyword, a literal or a character the lexer refuses. A seeded `random.Random` makes
the list the same on every run.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from vr_quarantine.vql.lexer import EOF, VqlLexError, tokenize
from vr_quarantine.vql.parser import VqlSyntaxError, parse

INSERTIONS = (
    ",", ", ", "(", ")", "[", "]", "{", "}", "=", "=~", "+", " - ", "*", "/", ".", ":", "=>",
    "<", "<=", ">", ">=", "!=", "<>", "%", " AND ", " OR ", " NOT ", " IN ", "||", "&&", "|",
    " SELECT ", " FROM ", " WHERE ", " LET ", " AS ", " GROUP BY ", " ORDER BY ", " LIMIT ",
    " DESC ", " EXPLAIN ", " 1 ", " -1 ", " 0x1F ", " .5 ", " 'x' ", ' "y" ', " '''z''' ",
    " TRUE ", " NULL ", " name ", " -name ", " `q q` ", " f() ", " f(a=1) ", " x[0] ",
    " x[1:] ", " /* c */ ", " -- c\n", " // c\n", ";", "!", "&", "#", "$", "@", "?", "~",
    "'", '"', "`", "\\",
)  # fmt: skip


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every token of `text`, comments included."""
    tokens, comments = tokenize(text)
    spans = [(t.offset, t.offset + len(t.value)) for t in [*tokens, *comments] if t.kind != EOF]
    return sorted(spans)


def _edit(text: str, rng: random.Random, spans: list[tuple[int, int]] | None = None) -> str:
    if spans is None:
        try:
            spans = _spans(text)
        except VqlLexError:
            spans = []
    if not spans:
        position = rng.randrange(len(text) + 1)
        return text[:position] + rng.choice(INSERTIONS) + text[position:]
    kind = rng.randrange(4)
    index = rng.randrange(len(spans))
    start, end = spans[index]
    if kind == 0:  # delete
        return text[:start] + text[end:]
    if kind == 1:  # duplicate
        return text[:end] + " " + text[start:end] + text[end:]
    if kind == 2 and index + 1 < len(spans):  # swap with the next token
        n_start, n_end = spans[index + 1]
        return (
            text[:start] + text[n_start:n_end] + text[end:n_start] + text[start:end] + text[n_end:]
        )
    position = rng.choice((start, end))
    return text[:position] + rng.choice(INSERTIONS) + text[position:]


def statements_of(text: str) -> list[str]:
    """The text of each statement of `text` (as written), or [] when it does not parse."""
    try:
        program = parse(text)
    except VqlSyntaxError:
        return []
    lines = text.split("\n")
    starts = []
    for statement in program.statements:
        offset = sum(len(line) + 1 for line in lines[: statement.line - 1]) + statement.column - 1
        starts.append(offset)
    starts.append(len(text))
    return [text[a:b].strip() for a, b in itertools.pairwise(starts)]


def mutants(seeds: list[str], count: int, seed: int = 12) -> list[str]:
    """`count` distinct mutants of `seeds` (statements and whole texts), deterministic."""
    rng = random.Random(seed)
    pool: list[str] = []
    for text in seeds:
        pool.append(text)
        pool.extend(s for s in statements_of(text) if s)
    # Short seeds give short mutants, which keeps the oracle and our parser fast.
    pool = [p for p in pool if len(p) <= 4000] or pool
    spans = [_spans(text) for text in pool]  # the seeds lex: tokenized once
    found: dict[str, None] = {}
    attempts = 0
    while len(found) < count and attempts < count * 20:
        attempts += 1
        index = rng.randrange(len(pool))
        text = _edit(pool[index], rng, spans[index])
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            text = _edit(text, rng)
        if text.strip() and text not in found:
            found[text] = None
    return list(found)


def agreement(
    texts: list[str], oracle_ok: list[bool], ours: Callable[[str], bool]
) -> list[tuple[str, bool, bool]]:
    """The texts where our parser and vfilter's disagree: (text, vfilter accepts, we accept)."""
    return [
        (text, expected, actual)
        for text, expected in zip(texts, oracle_ok, strict=True)
        if (actual := ours(text)) != expected
    ]
