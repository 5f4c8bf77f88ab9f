"""The templates' compiled code, kept in memory by the live preview from one build to the next: Pelican's new Jinja
environment for every build would otherwise read and unmarshal each template from disk on every save."""

from types import CodeType

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache, in memory: every build's environment reuses the code compiled before."""

    def __init__(self) -> None:
        # (template's key, its source's checksum) -> its compiled code. Jinja checks the checksum, so an edited
        # template is compiled again; code objects never change in place, so every build's environment shares them.
        self._code: dict[tuple[str, str], CodeType | None] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give Jinja the code compiled from this very source, if a build compiled it before."""
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep what Jinja just compiled, for the next build's environment."""
        self._code[(bucket.key, bucket.checksum)] = bucket.code

    def clear(self) -> None:
        """Forget every template: a full build compiles them all again."""
        self._code = {}
