"""Release versions. Planted bug: a version is taken for a pre-release only when it is both a
development and a pre-release version."""


class Version:
    def __init__(self, text: str) -> None:
        release, _, suffix = text.partition("-")
        self.release = tuple(int(part) for part in release.split("."))
        self.dev = suffix if suffix.startswith("dev") else None
        self.pre = suffix if suffix and self.dev is None else None

    @property
    def is_prerelease(self) -> bool:
        return self.dev is not None and self.pre is not None
