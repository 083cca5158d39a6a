"""A tokenizer and recursive-descent evaluator for integer arithmetic with variables.

    expr   := term (("+" | "-") term)*
    term   := factor (("*" | "/" | "%") factor)*
    factor := "-" factor | NUMBER | NAME | "(" expr ")"
"""

from __future__ import annotations

from dataclasses import dataclass


class ParseError(Exception):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    tokens = []
    index = 0
    while index < len(source):
        char = source[index]
        if char.isspace():
            index += 1
        elif char.isdigit():
            start = index
            while index < len(source) and source[index].isdigit():
                index += 1
            tokens.append(Token("num", source[start:index], start))
        elif char.isalpha() or char == "_":
            start = index
            while index < len(source) and (source[index].isalnum() or source[index] == "_"):
                index += 1
            tokens.append(Token("name", source[start:index], start))
        elif char in "+-*/%()":
            tokens.append(Token("op", char, index))
            index += 1
        else:
            raise ParseError(f"unexpected {char!r} at {index}")
    tokens.append(Token("end", "", len(source)))
    return tokens


class Parser:
    def __init__(self, source: str, variables: dict[str, int] | None = None) -> None:
        self.tokens = tokenize(source)
        self.index = 0
        self.variables = variables or {}

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.advance()
        if token.text != text:
            raise ParseError(f"expected {text!r} at {token.position}, got {token.text!r}")

    def parse(self) -> int:
        value = self.expr()
        if self.peek().kind != "end":
            raise ParseError(f"trailing input at {self.peek().position}")
        return value

    def expr(self) -> int:
        value = self.term()
        while self.peek().text in ("+", "-"):
            op = self.advance().text
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> int:
        value = self.factor()
        while self.peek().text in ("*", "/", "%"):
            op = self.advance().text
            right = self.factor()
            if op != "*" and right == 0:
                raise ParseError("division by zero")
            if op == "*":
                value *= right
            elif op == "/":
                value //= right
            else:
                value %= right
        return value

    def factor(self) -> int:
        token = self.advance()
        if token.text == "-":
            return -self.factor()
        if token.kind == "num":
            return int(token.text)
        if token.kind == "name":
            if token.text not in self.variables:
                raise ParseError(f"unknown variable {token.text!r}")
            return self.variables[token.text]
        if token.text == "(":
            value = self.expr()
            self.expect(")")
            return value
        raise ParseError(f"unexpected {token.text or 'end of input'!r} at {token.position}")


def evaluate(source: str, **variables: int) -> int:
    return Parser(source, variables).parse()
