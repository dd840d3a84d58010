import io


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, so that a progress line is drawn on it."""

    def isatty(self) -> bool:
        return True
