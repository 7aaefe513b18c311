"""Type stubs of the extension module ``ocicache._native`` (checked by stubtest)."""

from collections.abc import Mapping
from typing import Any, Literal, Optional, TypedDict, Union, final

from typing_extensions import Buffer, Self, TypeAlias

__version__: str
__all__ = [
    "CacheOptions",
    "Decoder",
    "Digest",
    "Digester",
    "Encoder",
    "LayerCompressor",
    "LayerDigester",
    "OcicacheError",
    "__version__",
    "compress",
    "decompress",
    "detect_compression",
    "digest",
    "error_codes",
    "layer_digests",
    "parse_cache_options",
    "verify",
]

_Algorithm: TypeAlias = Literal["sha256", "sha512"]

class OcicacheError(ValueError):
    """An ocicache error: ``code`` is its stable code; ``field`` and ``offset`` say where."""

    code: str
    field: Optional[str]
    offset: Optional[int]

def error_codes() -> list[str]:
    """Every stable error code, in the order of ``tests/error_codes.json``."""

@final
class Digest:
    """A validated digest such as ``sha256:e3b0…``. Build one with ``Digest.parse``."""

    @classmethod
    def parse(cls, value: str) -> Self: ...
    @property
    def algorithm(self) -> _Algorithm: ...
    @property
    def encoded(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __lt__(self, value: Digest, /) -> bool: ...
    def __le__(self, value: Digest, /) -> bool: ...
    def __gt__(self, value: Digest, /) -> bool: ...
    def __ge__(self, value: Digest, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Digester:
    """A streaming hasher: ``update(chunk)`` any number of times, then ``finalize()``."""

    def __new__(cls, algorithm: str = "sha256") -> Self: ...
    @property
    def algorithm(self) -> _Algorithm: ...
    @property
    def size(self) -> int: ...
    def update(self, chunk: Buffer) -> None: ...
    def finalize(self) -> Digest: ...
    def verify(self, digest: Union[Digest, str], size: Optional[int] = None) -> None: ...

def digest(data: Buffer, algorithm: str = "sha256") -> Digest: ...
def verify(data: Buffer, digest: Union[Digest, str], size: Optional[int] = None) -> None: ...

class _Warning(TypedDict):
    code: str
    message: str
    field: Optional[str]
    offset: Optional[int]

@final
class CacheOptions:
    """One parsed ``--cache-to``/``--cache-from`` entry."""

    @property
    def type(self) -> Literal["registry", "local", "inline", "gha", "s3", "azblob"]: ...
    @property
    def attrs(self) -> dict[str, str]: ...
    @property
    def settings(self) -> dict[str, Any]: ...
    @property
    def buildkit_attrs(self) -> dict[str, str]: ...
    @property
    def active(self) -> bool: ...
    @property
    def inactive_reason(self) -> Optional[str]: ...
    @property
    def warnings(self) -> list[_Warning]: ...
    def to_json(self) -> str: ...
    def to_string(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...

def parse_cache_options(
    input: Union[str, bytes],
    *,
    dialect: Literal["buildx", "buildctl"] = "buildx",
    direction: Optional[Literal["export", "import"]] = None,
    env: Optional[Mapping[str, str]] = None,
) -> list[CacheOptions]: ...

_Compression = Literal["gzip", "zstd", "uncompressed"]

class _LayerDigests(TypedDict):
    compression: _Compression
    digest: str
    size: int
    diff_id: str
    uncompressed_size: int

class _CompressedLayer(_LayerDigests):
    level: Optional[int]

def detect_compression(data: Buffer) -> Optional[_Compression]: ...
def decompress(
    data: Buffer,
    compression: Optional[_Compression] = None,
    *,
    max_output: Optional[int] = None,
    max_zstd_window: Optional[int] = None,
) -> bytes: ...
def compress(data: Buffer, compression: _Compression, level: Optional[int] = None) -> tuple[bytes, Optional[int]]: ...
def layer_digests(
    data: Buffer, *, max_output: Optional[int] = None, max_zstd_window: Optional[int] = None
) -> _LayerDigests: ...
@final
class Decoder:
    """A streaming decoder."""

    def __new__(
        cls, compression: _Compression, *, max_output: Optional[int] = None, max_zstd_window: Optional[int] = None
    ) -> Self: ...
    def update(self, chunk: Buffer) -> bytes: ...
    def finish(self) -> None: ...

@final
class Encoder:
    """A streaming encoder."""

    def __new__(cls, compression: _Compression, level: Optional[int] = None) -> Self: ...
    @property
    def level(self) -> Optional[int]: ...
    def update(self, chunk: Buffer) -> bytes: ...
    def finish(self) -> bytes: ...

@final
class LayerDigester:
    """A streaming layer digester (compressed blob in, digests and diffID out)."""

    def __new__(cls, *, max_output: Optional[int] = None, max_zstd_window: Optional[int] = None) -> Self: ...
    def update(self, chunk: Buffer) -> None: ...
    def finalize(self) -> _LayerDigests: ...

@final
class LayerCompressor:
    """A streaming layer compressor (tar in, compressed blob and digests out)."""

    def __new__(cls, compression: _Compression, level: Optional[int] = None) -> Self: ...
    def update(self, chunk: Buffer) -> bytes: ...
    def finalize(self) -> tuple[bytes, _CompressedLayer]: ...
