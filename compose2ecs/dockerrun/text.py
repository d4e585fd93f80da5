"""Shell-like splitting of `docker run` text into commands and words, with positions.

``shlex`` cannot tell where a word came from, and every error about a flag must point at
its column in the text the user pasted, so this is a small POSIX-shell word splitter:

* quoting: ``'…'`` literal, ``"…"`` with ``\\$ \\` \\" \\\\`` escapes, ``\\x`` outside quotes;
* ``\\``-newline continuations (also inside double quotes), tabs, CR/LF line ends;
* command separators: unquoted newline, ``;``, ``&&``, ``||``, ``|``, ``&``; ``#`` comments;
* redirections (``> /dev/null``, ``2>&1``) become operator tokens, so an ignored
  ``docker rm x > /dev/null 2>&1`` line cannot leak words into the next command;
* ``$(pwd)`` / `` `pwd` `` become ``${PWD}`` (the compose interpolation of the same thing);
  any other command substitution, and README placeholders such as ``<path/to/data>`` (which a
  shell would read as redirections) or ``"<timezone>"``, are kept in the word and listed in
  :attr:`Word.problems`: the caller keeps them as placeholders where a `docker run` uses the
  word (deploy refuses them), and reports them as errors only where a value must parse.

Nothing is expanded: ``$VAR`` stays for compose interpolation. A ``$`` that the shell would
NOT expand (single quotes, ``\\$``) is remembered in :attr:`Word.literal` so the caller can
write it as ``$$`` for compose.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import field

from ..errors import Location, UserError
from ..records import record

SEPARATORS = ("&&", "||", ";", "|", "&", "\n")
_PLACEHOLDER = re.compile(r"<[A-Za-z0-9_][^<>\s'\"|;&]*>")
_REDIRECT = re.compile(r"(>>|>\||<<<|<<|<>|>|<)(&(?:\d+|-))?")
_SUBST_PWD = re.compile(r"\s*pwd\s*")
_PLAIN = re.compile(r"[^\s\\'\"$`<>;|&]+")  # a run of characters with no shell meaning
_BLANKS = re.compile(r"[ \t\r\f\v]+")
_PLAIN_DQ = re.compile(r'[^"\\$`<]+')  # the same inside double quotes


@record(frozen=False)
class Word:
    """One shell word. ``offsets[i]`` is the raw text offset of ``text[i]``."""

    text: str = ""
    offsets: list = field(default_factory=list)
    start: int = 0
    literal: set = field(default_factory=set)  # indices of '$' the shell would not expand
    problems: list = field(default_factory=list)  # (raw offset, message, hint, text as typed)
    op: str = ""  # separator or redirection operator; "" for an ordinary word

    def offset(self, index: int) -> int:
        """Raw offset of character ``index`` (the word start for an empty word)."""
        if 0 <= index < len(self.offsets):
            return self.offsets[index]
        return self.offsets[-1] + 1 if self.offsets and index > 0 else self.start

    def escaped(self, start: int = 0, end: int | None = None) -> str:
        """``text[start:end]`` for compose: literal dollars doubled so interpolation keeps them."""
        end = len(self.text) if end is None else end
        if not self.literal:
            return self.text[start:end]
        return "".join("$$" if (i in self.literal) else self.text[i] for i in range(start, end))


class Positions:
    """Raw offset → (line, column), both 1-based."""

    def __init__(self, text: str):
        starts, i = [0], text.find("\n")
        while i >= 0:  # find() instead of a Python loop over every character
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        self.starts = starts

    def line_col(self, offset: int) -> tuple:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def location(self, source: str, offset: int, key_path: tuple = ()) -> Location:
        line, col = self.line_col(offset)
        return Location(source, line, col, key_path)


class _Splitter:
    """One pass over the text producing words and operator tokens."""

    def __init__(self, text: str, source: str):
        self.text, self.source = text, source
        self.pos = Positions(text)
        self.tokens: list = []
        self.word: Word | None = None
        self.i = 0

    def fail(self, offset: int, message: str, hint: str) -> None:
        raise UserError.at(self.pos.location(self.source, offset), message, hint)

    def add(self, ch: str, offset: int, literal_dollar: bool = False) -> None:
        if self.word is None:
            self.word = Word(start=offset)
        if literal_dollar and ch == "$":
            self.word.literal.add(len(self.word.text))
        self.word.text += ch
        self.word.offsets.append(offset)

    def add_run(self, chunk: str, offset: int, literal: bool = False) -> None:
        """Add several characters at once (the common case; keeps long texts fast)."""
        if self.word is None:
            self.word = Word(start=offset)
        word = self.word
        if literal and "$" in chunk:
            base = len(word.text)
            word.literal.update(base + k for k, ch in enumerate(chunk) if ch == "$")
        word.text += chunk
        word.offsets.extend(range(offset, offset + len(chunk)))

    def touch(self, offset: int) -> None:
        """Start a word even if it stays empty (``""`` is a word)."""
        if self.word is None:
            self.word = Word(start=offset)

    def end_word(self) -> None:
        if self.word is not None:
            self.tokens.append(self.word)
            self.word = None

    def op(self, kind: str, offset: int) -> None:
        self.end_word()
        self.tokens.append(Word(text=kind, start=offset, offsets=[offset], op=kind))

    def run(self) -> list:
        text, n = self.text, len(self.text)
        plain, blanks = _PLAIN.match, _BLANKS.match
        while self.i < n:
            ch = text[self.i]
            if ch in " \t\r\f\v":  # a run of blanks ends the word
                self.end_word()
                self.i = blanks(text, self.i).end()
                continue
            if ch != "#" or self.word is not None:  # most of a text: characters with no
                match = plain(text, self.i)         # shell meaning, taken as one run
                if match:
                    chunk = match.group(0)
                    self.add_run(chunk, self.i)
                    self.i += len(chunk)
                    continue
            if ch == "\\":
                self.backslash()
            elif ch in " \t\r\f\v":
                self.end_word()
                self.i += 1
            elif ch == "'":
                self.single_quoted()
            elif ch == '"':
                self.double_quoted()
            elif ch == "#" and self.word is None:
                while self.i < n and text[self.i] != "\n":
                    self.i += 1
            elif ch in "$`" and self.substitution(quoted=False):
                continue
            elif ch in "<>" and self.angle():
                continue
            elif ch in "\n;|&":
                two = text[self.i:self.i + 2]
                kind = two if two in ("&&", "||") else ch
                self.op(kind, self.i)
                self.i += len(kind)
            else:
                match = _PLAIN.match(text, self.i)
                chunk = match.group(0) if match else ch
                self.add_run(chunk, self.i)
                self.i += len(chunk)
        self.end_word()
        return self.tokens

    def backslash(self) -> None:
        nxt = self.text[self.i + 1:self.i + 2]
        if nxt == "\n":
            self.i += 2  # continuation: the newline disappears
        elif nxt == "\r" and self.text[self.i + 2:self.i + 3] == "\n":
            self.i += 3
        elif nxt:
            self.add(nxt, self.i + 1, literal_dollar=True)
            self.i += 2
        else:
            self.i += 1

    def single_quoted(self) -> None:
        start = self.i
        end = self.text.find("'", start + 1)
        if end < 0:
            self.fail(start, "unbalanced single quote: no closing ' before the end of the text",
                      "close the quote, or escape it as \\'")
        self.touch(start)
        self.add_run(self.text[start + 1:end], start + 1, literal=True)
        self.i = end + 1

    def double_quoted(self) -> None:
        start, text = self.i, self.text
        self.touch(start)
        self.i += 1
        while self.i < len(text):
            ch = text[self.i]
            if ch == '"':
                self.i += 1
                return
            if ch == "\\" and text[self.i + 1:self.i + 2] in ('"', "\\", "$", "`", "\n"):
                if text[self.i + 1] != "\n":
                    self.add(text[self.i + 1], self.i + 1, literal_dollar=True)
                self.i += 2
            elif ch in "$`" and self.substitution(quoted=True):
                continue
            elif ch == "<" and _quoted_placeholder(text, self.i):
                self.quoted_placeholder()
            else:
                match = _PLAIN_DQ.match(text, self.i)
                chunk = match.group(0) if match else ch
                self.add_run(chunk, self.i)
                self.i += len(chunk)
        self.fail(start, 'unbalanced double quote: no closing " before the end of the text',
                  'close the quote, or escape it as \\"')

    def substitution(self, quoted: bool) -> bool:
        """``$(…)`` or `` `…` ``: ``pwd`` becomes ``${PWD}``; anything else is a problem."""
        text, start = self.text, self.i
        if text.startswith("$(", start):
            end = _matching_paren(text, start + 1)
        elif text[start] == "`":
            end = text.find("`", start + 1)
        else:
            return False
        if end < 0:
            self.fail(start, "unbalanced command substitution: no closing ) or `",
                      "close it, or quote the text")
        inner = text[start + 2:end] if text[start] == "$" else text[start + 1:end]
        if _SUBST_PWD.fullmatch(inner):
            for ch in "${PWD}":
                self.add(ch, start)
        else:
            for k in range(start, end + 1):
                self.add(text[k], k, literal_dollar=True)
            self.word.problems.append((start, f"command substitution {text[start:end + 1]} "
                                       "cannot be evaluated here",
                                       "replace it with its value (e.g. 1000 for $(id -u)), or "
                                       "with a ${VARIABLE} set in the environment",
                                       text[start:end + 1]))
        self.i = end + 1
        return True

    def quoted_placeholder(self) -> None:
        """``"<timezone>"``, ``"TZ=<timezone>"``: literal to the shell, but a README placeholder
        all the same (only as a whole value: ``"echo <b>hi</b>"`` is just text)."""
        match = _PLACEHOLDER.match(self.text, self.i)
        self.add_run(match.group(0), self.i)
        self.word.problems.append((self.i, f"{match.group(0)} is a placeholder from documentation",
                                   "replace it with a real value", match.group(0)))
        self.i = match.end()

    def angle(self) -> bool:
        """A README placeholder (``<name>``) or a redirection operator."""
        match = _PLACEHOLDER.match(self.text, self.i)
        if self.text[self.i] == "<" and match:
            start = self.i
            for k in range(start, match.end()):
                self.add(self.text[k], k)
            self.word.problems.append((start, f"{match.group(0)} is a placeholder (to a shell, "
                                       "unquoted < and > are redirections)",
                                       "replace it with a real value", match.group(0)))
            self.i = match.end()
            return True
        redirect = _REDIRECT.match(self.text, self.i)
        fd = ""
        if self.word is not None and self.word.text.isdigit() and not self.word.literal:
            fd, start = self.word.text, self.word.start
            self.word = None
        else:
            start = self.i
        self.op("redirect", start)
        self.tokens[-1].text = fd + redirect.group(0)
        self.i = redirect.end()
        return True


def _quoted_placeholder(text: str, at: int) -> bool:
    """A ``<name>`` inside double quotes that stands where a value would: after the opening
    quote, ``=`` or ``:``, and before the closing quote, ``:``, ``/`` or ``,``."""
    match = _PLACEHOLDER.match(text, at)
    return bool(match) and text[at - 1:at] in ('"', "=", ":") and \
        text[match.end():match.end() + 1] in ('"', ":", "/", ",")


def _matching_paren(text: str, open_at: int) -> int:
    depth = 0
    for k in range(open_at, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


@record(frozen=False)
class Segment:
    """The words of one simple command; ``after`` is the separator that preceded it."""

    words: list
    after: str = ""  # "", "\n", ";", "&&", "||", "|", "&"
    redirects: list = field(default_factory=list)  # Word tokens (operator with its target)


def split_commands(text: str, source: str = "<docker run>") -> tuple:
    """Split ``text`` into :class:`Segment` values and return ``(segments, positions)``.

    Raises :class:`UserError` (located) for unbalanced quotes and substitutions.
    """
    splitter = _Splitter(text, source)
    tokens = splitter.run()
    segments: list = []
    current = Segment([], "")
    pending_redirect = None
    for tok in tokens:
        if tok.op in SEPARATORS:
            if current.words or current.redirects:
                segments.append(current)
            current = Segment([], tok.op)
            pending_redirect = None
        elif tok.op == "redirect":
            current.redirects.append(tok)
            # "2>&1" carries its target; "> file" takes the next word as the target
            pending_redirect = None if "&" in tok.text[-2:] and tok.text[-1] != ">" else tok
        elif pending_redirect is not None:
            pending_redirect.text += " " + tok.text
            pending_redirect = None
        else:
            current.words.append(tok)
    if current.words or current.redirects:
        segments.append(current)
    return segments, splitter.pos
