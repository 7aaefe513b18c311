"""Type stubs of the extension module ``ocicache._native`` (checked by stubtest)."""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, Optional, TypedDict, Union, final

from typing_extensions import Buffer, Self, TypeAlias

__version__: str
__all__ = [
    "BlobVerifier",
    "Cache",
    "CacheConfig",
    "CacheLoader",
    "CacheManifest",
    "CacheOptions",
    "CacheOptionsEntry",
    "CacheWrite",
    "CloudDocuments",
    "Challenge",
    "Conversion",
    "CopyPlan",
    "Decoder",
    "Digest",
    "Digester",
    "Encoder",
    "GcPlan",
    "ImageIndex",
    "ImageManifest",
    "InlineCache",
    "Inspection",
    "LayerCompressor",
    "LayerDigester",
    "MediaType",
    "Merge",
    "OciLayout",
    "OcicacheError",
    "PrunePlan",
    "Reachability",
    "RegistryLocation",
    "Verification",
    "VerifyReport",
    "azblob_blob_path",
    "azblob_manifest_path",
    "cloud_config",
    "cloud_documents",
    "compress",
    "credentials_allowed",
    "decompress",
    "detect_compression",
    "digest",
    "docker_config_credentials",
    "error_codes",
    "gha_blob_key",
    "gha_index_key",
    "gha_signature_key",
    "inline_cache",
    "is_manifest_media_type",
    "layer_digests",
    "manifest_accept",
    "media_types",
    "parse_byte_size",
    "parse_cache_entries",
    "parse_cache_options",
    "parse_duration_ms",
    "registry_error",
    "resolve_url",
    "s3_blob_key",
    "s3_manifest_key",
    "same_origin",
    "token_from_response",
    "upload_location",
    "verify",
    "__version__",
]

_Algorithm: TypeAlias = Literal["sha256", "sha512"]

class OcicacheError(ValueError):
    """An ocicache error: ``code`` is its stable code; ``field`` and ``offset`` say where."""

    code: str
    field: Optional[str]
    offset: Optional[int]

def error_codes() -> list[str]:
    """Every stable error code, in the order of ``tests/error_codes.json``."""

def parse_byte_size(text: str) -> int:
    """A byte size such as ``2GiB``, ``500MB``, ``10g`` or ``1048576``."""

def parse_duration_ms(text: str) -> int:
    """An age such as ``7d``, ``36h``, ``1w2d`` or ``600`` (seconds), in milliseconds."""

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

@final
class CacheOptionsEntry:
    """One entry exactly as buildx (or buildctl) sends it to BuildKit."""

    @property
    def type(self) -> str: ...
    @property
    def attrs(self) -> dict[str, str]: ...
    @property
    def settings(self) -> Optional[dict[str, Any]]: ...
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

def parse_cache_entries(
    input: Union[str, bytes],
    *,
    dialect: Literal["buildx", "buildctl"] = "buildx",
    direction: Optional[Literal["export", "import"]] = None,
    env: Optional[Mapping[str, str]] = None,
) -> list[CacheOptionsEntry]: ...

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
    def update(self, chunk: Buffer, max_bytes: Optional[int] = None) -> bytes: ...
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

_Form: TypeAlias = Literal["image-manifest", "image-index", "docker-manifest-list", "docker-manifest"]

class _Finding(TypedDict):
    """One problem found by ``validate``."""

    code: str
    severity: Literal["error", "warning"]
    message: str
    path: str

class _RecordSize(TypedDict):
    """The bytes a record's results need."""

    total: int
    unique: int
    blobs: int
    unknown: int

class _SharedLayer(TypedDict):
    """A blob used by more than one record."""

    blob: str
    records: list[int]

@final
class CacheConfig:
    """A BuildKit cache config: layer chains and cache-key records."""

    @classmethod
    def from_bytes(cls, data: Buffer, *, max_size: Optional[int] = None) -> CacheConfig:
        """Reads a cache config from its JSON bytes (``max_size``: our own limit, 512 MiB by default)."""
    def to_bytes(self) -> bytes:
        """The config as BuildKit writes it (compact JSON, Go's bytes)."""
    def digest(self) -> str:
        """The sha256 digest of ``to_bytes()``."""
    def to_dict(self) -> dict[str, Any]:
        """The config as a dict, keys as in the file."""
    @property
    def record_count(self) -> int:
        """The number of records."""
    @property
    def layer_count(self) -> int:
        """The number of layers."""
    def validate(self, *, blobs: Optional[Sequence[Union[Digest, str]]] = None, require_annotations: bool = False) -> list[_Finding]:
        """BuildKit's importer checks (with ``blobs``: also results needing a missing blob)."""
    def normalized(self) -> CacheConfig:
        """A copy sorted and re-indexed like BuildKit's exporter."""
    def roots(self) -> list[int]:
        """Records with no inputs."""
    def leaves(self) -> list[int]:
        """Records no other record links to."""
    def dependents(self, record: int) -> list[int]:
        """Records that list ``record`` among their inputs."""
    def layer_chain(self, layer: int) -> list[int]:
        """The layer indexes of the chain ending at ``layer``, base first."""
    def result_chains(self, record: int) -> list[list[int]]:
        """The layer chain (base first) of each result of ``record``."""
    def blobs(self) -> list[str]:
        """The distinct layer blobs, in order of first appearance."""
    def record_size(self, record: int, sizes: Mapping[str, int]) -> _RecordSize:
        """The bytes ``record``'s results need, given blob sizes by digest."""
    def shared_layers(self) -> list[_SharedLayer]:
        """Blobs used by more than one record."""

@final
class CacheManifest:
    """A cache manifest in any form (image manifest, OCI index, Docker list)."""

    @classmethod
    def from_bytes(cls, data: Buffer) -> CacheManifest:
        """Reads a cache manifest, detecting its form like BuildKit."""
    @classmethod
    def build(cls, form: _Form, config: Mapping[str, Any], layers: Sequence[Mapping[str, Any]]) -> CacheManifest:
        """A new cache manifest of ``form``, as BuildKit's exporter writes it."""
    def to_bytes(self) -> bytes:
        """The document as BuildKit writes it."""
    def to_dict(self) -> dict[str, Any]:
        """The document as a dict."""
    @property
    def form(self) -> _Form:
        """The form of the document."""
    @property
    def media_type(self) -> str:
        """The document's own media type."""
    @property
    def config(self) -> dict[str, Any]:
        """The cache config descriptor."""
    @property
    def layers(self) -> list[dict[str, Any]]:
        """The layer descriptors."""
    def validate(self) -> list[_Finding]:
        """OCI rules and what BuildKit needs of the manifest."""
    def validate_with_config(self, config: CacheConfig) -> list[_Finding]:
        """``validate()`` plus the config's checks against this manifest's blobs."""
    def convert(self, form: _Form) -> CacheManifest:
        """The same content in another form."""

@final
class ImageManifest:
    """An OCI image manifest (or Docker manifest)."""

    @classmethod
    def from_bytes(cls, data: Buffer) -> ImageManifest:
        """Reads a manifest from JSON bytes."""
    def to_bytes(self) -> bytes:
        """The manifest as Go writes it."""
    def to_dict(self) -> dict[str, Any]:
        """The manifest as a dict."""
    def validate(self) -> list[_Finding]:
        """The OCI rules."""

@final
class ImageIndex:
    """An OCI image index (or Docker manifest list), such as a layout's ``index.json``."""

    @classmethod
    def from_bytes(cls, data: Buffer) -> ImageIndex:
        """Reads an index from JSON bytes."""
    def to_bytes(self) -> bytes:
        """The index as Go writes it."""
    def to_dict(self) -> dict[str, Any]:
        """The index as a dict."""
    def validate(self) -> list[_Finding]:
        """The OCI rules."""
    def tags(self) -> list[str]:
        """The entries' tags, in order."""
    def find_tag(self, tag: str) -> dict[str, Any]:
        """The entry BuildKit imports for ``tag``; raises ``TAG_NOT_FOUND``."""
    @staticmethod
    def updated_layout_index(current: Optional[Buffer], tag: str, descriptor: Mapping[str, Any]) -> bytes:
        """The bytes of ``index.json`` after an export of ``descriptor`` to ``tag``."""
    @staticmethod
    def selected_layout_index(current: Optional[Buffer], tag: str) -> bytes:
        """``index.json`` as a location with ``tag=`` shows it: only the entry BuildKit imports."""
    @staticmethod
    def pinned_layout_index(document: Buffer, digest: Union[str, Digest], tag: str) -> bytes:
        """``index.json`` for a location pinned with ``digest=``: one entry for ``document``."""

@final
class OciLayout:
    """The rules of an OCI image layout directory."""

    @staticmethod
    def file_content() -> bytes:
        """The ``oci-layout`` file BuildKit writes."""
    @staticmethod
    def check_file(data: Buffer) -> None:
        """Raises ``INVALID_LAYOUT`` unless ``data`` is a valid ``oci-layout`` file."""
    @staticmethod
    def blob_path(digest: Union[Digest, str]) -> str:
        """``blobs/<algorithm>/<encoded>`` of a digest (validated first)."""
    @staticmethod
    def digest_from_path(path: str) -> str:
        """The digest a blob path names; raises ``INVALID_DIGEST`` for anything else."""
    @staticmethod
    def check_tag(tag: str) -> None:
        """Raises ``INVALID_TAG`` unless ``tag`` is a valid ``ref.name``."""

@final
class Reachability:
    """The walk from ``index.json`` to every reachable blob."""

    def __new__(cls, index: Buffer, tags: Optional[list[str]] = None) -> Self:
        """A walk from the entries of ``index.json`` (only ``tags``, if given)."""
    def next_needed(self) -> Optional[dict[str, Any]]:
        """The next manifest or index to read, or ``None``."""
    def feed(self, digest: Union[Digest, str], data: Buffer) -> None:
        """The bytes of the blob ``next_needed()`` named."""
    def missing(self, digest: Union[Digest, str]) -> None:
        """Reports that the blob ``next_needed()`` named is missing."""
    def reachable(self) -> list[str]:
        """The reachable blobs found so far, sorted."""

@final
class InlineCache:
    """An image's inline cache."""

    @property
    def config(self) -> CacheConfig:
        """The records over the image's layers."""
    @property
    def layers(self) -> list[dict[str, Any]]:
        """The image's layer descriptors, annotated like BuildKit's importer."""

def inline_cache(manifest: Buffer, image_config: Buffer) -> Optional[InlineCache]:
    """The inline cache of an image, or ``None`` when it has none."""

@final
class CloudDocuments:
    """A cloud cache (gha, s3, azblob) as a layout holds it."""

    @property
    def manifest(self) -> bytes:
        """The manifest (image-manifest form)."""
    @property
    def config(self) -> bytes:
        """The config it names: the cloud config without its annotations."""

def cloud_config(manifest: Buffer, config: Buffer) -> bytes:
    """The cloud config (what s3/azblob/gha store) of a cache manifest and its
    config: each layer annotated from the manifest's descriptor of its blob."""

def cloud_documents(config: Buffer) -> CloudDocuments:
    """The manifest and config a layout would hold for a cloud config, as
    BuildKit's importer reads it."""

def gha_blob_key(blob: Union[Digest, str]) -> str:
    """``buildkit-blob-1-<digest>``."""

def gha_index_key(scope: str, github_scope: str, signed: bool = False) -> str:
    """``index-<scope>-1-<hash of github_scope>`` (``-sig`` when signed)."""

def gha_signature_key(index_digest: Union[Digest, str]) -> str:
    """``buildkit-blob-1-<index_digest>-sig``."""

def s3_blob_key(prefix: str, blobs_prefix: str, blob: Union[Digest, str]) -> str:
    """``<prefix><blobs_prefix><digest>``."""

def s3_manifest_key(prefix: str, manifests_prefix: str, name: str) -> str:
    """``<prefix><manifests_prefix><name>``."""

def azblob_blob_path(prefix: str, blobs_prefix: str, blob: Union[Digest, str]) -> str:
    """``path.Join(prefix, blobs_prefix, digest)``."""

def azblob_manifest_path(prefix: str, manifests_prefix: str, name: str) -> str:
    """``path.Join(prefix, manifests_prefix, name)``."""

@final
class MediaType:
    """The media types of cache content, as class attributes; the values are the core's."""

    CACHE_CONFIG: ClassVar[str]
    OCI_MANIFEST: ClassVar[str]
    OCI_INDEX: ClassVar[str]
    DOCKER_MANIFEST: ClassVar[str]
    DOCKER_MANIFEST_LIST: ClassVar[str]
    OCI_IMAGE_CONFIG: ClassVar[str]
    DOCKER_IMAGE_CONFIG: ClassVar[str]
    OCI_LAYOUT_HEADER: ClassVar[str]
    OCI_EMPTY: ClassVar[str]
    OCI_LAYER: ClassVar[str]
    OCI_LAYER_GZIP: ClassVar[str]
    OCI_LAYER_ZSTD: ClassVar[str]
    OCI_LAYER_NONDISTRIBUTABLE: ClassVar[str]
    OCI_LAYER_NONDISTRIBUTABLE_GZIP: ClassVar[str]
    OCI_LAYER_NONDISTRIBUTABLE_ZSTD: ClassVar[str]
    DOCKER_LAYER: ClassVar[str]
    DOCKER_LAYER_GZIP: ClassVar[str]
    DOCKER_LAYER_ZSTD: ClassVar[str]
    DOCKER_FOREIGN_LAYER: ClassVar[str]
    DOCKER_FOREIGN_LAYER_GZIP: ClassVar[str]

def media_types() -> dict[str, str]:
    """The media type constants, by name."""

class _StoredBlob(TypedDict):
    path: str
    size: int
    modified: Optional[int]

class _BlobCheck(TypedDict):
    digest: str
    path: str
    size: int
    layer: bool

@final
class CacheLoader:
    """Loads a cache: feed each blob next_needed() names, then finish()."""

    def __new__(cls, index: Optional[Buffer]) -> Self: ...
    @staticmethod
    def index_read_limit() -> int:
        """How many bytes of ``index.json`` (or of the document a location's
        ``digest=`` names) a driver reads at most: the document limit plus
        one."""
    def next_needed(self) -> Optional[str]: ...
    def read_limit(self) -> int:
        """How many bytes of the blob ``next_needed()`` named to read at
        most: its size plus one; ``0`` (read nothing, feed empty bytes) when
        its descriptor is over the document limit."""
    def feed(self, digest: Union[Digest, str], data: Buffer) -> None: ...
    def oci_layout(self, data: Optional[Buffer]) -> None:
        """The layout's ``oci-layout`` file (``None`` when it has none): checked."""
    def missing(self, digest: Union[Digest, str]) -> None: ...
    def failed(self, digest: Union[Digest, str], code: str, message: str) -> None:
        """The storage could not read the blob ``next_needed()`` named, for
        the reason ``code`` (an error code, such as ``NOT_A_FILE``)."""
    def finish(self) -> Cache: ...

@final
class Cache:
    """A loaded cache: index.json and every document it reaches."""

    @property
    def complete(self) -> bool: ...
    def tags(self) -> list[str]: ...
    def inspect(self, stored: Optional[Sequence[_StoredBlob]] = None) -> Inspection: ...
    def verification(self, stored: Sequence[_StoredBlob]) -> Verification: ...
    def gc_plan(
        self,
        stored: Sequence[_StoredBlob],
        *,
        now_ms: int,
        grace_period_ms: Optional[int] = None,
        keep_tags: Optional[Sequence[str]] = None,
        drop_tags: Optional[Sequence[str]] = None,
    ) -> GcPlan: ...
    def prune_plan(
        self,
        *,
        now_ms: int,
        max_size: Optional[int] = None,
        max_age_ms: Optional[int] = None,
        keep_tags: Optional[Sequence[str]] = None,
    ) -> PrunePlan:
        """Which results go to keep the cache within ``max_size`` bytes and ``max_age_ms``."""
    def conversion(self, tag: str, form: Optional[str] = None, compression: Optional[_Compression] = None) -> Conversion: ...
    def recheck(self, moved: list[Union[Digest, str]]) -> dict[str, list[str]]:
        """gc's second look at blobs it moved aside: ``{"restore": [...], "delete": [...]}``."""
    def copy_plan(self, tag: str) -> CopyPlan:
        """Plans copying the entry tagged ``tag`` to another storage."""

class _CopyBlob(TypedDict):
    digest: str
    mediaType: str
    size: int
    manifest: bool

@final
class CopyPlan:
    """What a copy of one tagged entry transfers: every blob it reaches, children first."""

    @property
    def tag(self) -> str: ...
    @property
    def descriptor(self) -> dict[str, Any]: ...
    @property
    def blobs(self) -> list[_CopyBlob]: ...
    @property
    def total_bytes(self) -> int: ...
    @property
    def concurrency(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class RegistryLocation:
    """Where a reference's manifests and blobs live."""

    def __new__(cls, reference: str, insecure: bool = False) -> Self: ...
    @property
    def reference(self) -> str: ...
    @property
    def plain_http(self) -> bool: ...
    @property
    def api_host(self) -> str: ...
    @property
    def auth_key(self) -> str: ...
    @property
    def repository(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    def manifest_url(self, target: Optional[str] = None) -> str: ...
    def blob_url(self, digest: Union[Digest, str]) -> str: ...
    def upload_url(self, mount_digest: Union[Digest, str, None] = None, mount_from: Optional[str] = None) -> str: ...
    def scope(self, push: bool) -> str: ...
    def same_registry(self, other: RegistryLocation) -> bool: ...

@final
class Challenge:
    """One challenge of a ``WWW-Authenticate`` header."""

    @staticmethod
    def parse(header: str) -> list[Challenge]: ...
    @property
    def scheme(self) -> str: ...
    @property
    def params(self) -> dict[str, str]: ...
    def token_url(self, scopes: list[str]) -> str: ...

def manifest_accept() -> str: ...
def is_manifest_media_type(media_type: str) -> bool: ...
def token_from_response(body: bytes) -> str: ...
def docker_config_credentials(config: bytes, key: str) -> Optional[tuple[str, str]]: ...
def registry_error(status: int, body: bytes, what: str) -> OcicacheError: ...
def resolve_url(base: str, location: str) -> str: ...
def upload_location(request_url: str, location: str, digest: Union[Digest, str, None] = None) -> str: ...
def credentials_allowed(registry_url: str, token_url: str) -> bool:
    """Whether a token request to ``token_url`` may carry the credentials
    for the registry at ``registry_url``: over HTTPS, or to the registry's
    own host."""
def same_origin(source: str, target: str) -> bool: ...

@final
class Inspection:
    """What Cache.inspect found."""

    def to_dict(self) -> dict[str, Any]: ...
    def to_text(self) -> str: ...

@final
class Verification:
    """A verify in progress."""

    def checks(self) -> list[_BlobCheck]: ...
    def record(self, digest: Union[Digest, str], verifier: BlobVerifier) -> None: ...
    def record_failure(self, digest: Union[Digest, str], message: str, code: Optional[str] = None) -> None:
        """The blob ``digest`` could not be read; ``code`` says why
        (``STORAGE_ERROR`` unless given, or e.g. ``NOT_A_FILE``)."""
    def report(self) -> VerifyReport: ...

@final
class VerifyReport:
    """What a verify found."""

    @property
    def ok(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_text(self) -> str: ...

@final
class BlobVerifier:
    """Hashes one blob and, for a layer, its decompressed content."""

    def __new__(cls, digest: Union[Digest, str], layer: bool) -> Self: ...
    def update(self, chunk: Buffer) -> None: ...

@final
class GcPlan:
    """What a gc will do."""

    @property
    def index(self) -> Optional[bytes]: ...
    @property
    def delete(self) -> list[str]: ...
    @property
    def freed_bytes(self) -> int: ...
    def settle(self, restored: list[Union[Digest, str]], quiet: bool) -> None:
        """gc's second look: ``restored`` go back instead of being deleted."""
    def index_after(self, current: Optional[Buffer]) -> Optional[bytes]:
        """``current`` without exactly the entries the plan drops (``None``: nothing to remove)."""
    def to_dict(self, done: bool = False) -> dict[str, Any]: ...
    def to_text(self, done: bool = False) -> str: ...

@final
class PrunePlan:
    """What a prune will do."""

    @property
    def tags(self) -> list[str]: ...
    @property
    def writes(self) -> list[CacheWrite]: ...
    @property
    def freed_bytes(self) -> int: ...
    def apply(self, current: Buffer) -> tuple[bytes, list[str]]:
        """``index.json`` with the rewritten tags, and the tags left as they were (changed since the plan)."""
    def to_dict(self, done: bool = False) -> dict[str, Any]: ...
    def to_text(self, done: bool = False) -> str: ...

@final
class Conversion:
    """A conversion in progress."""

    def layers_to_recompress(self) -> list[str]: ...
    def record(
        self,
        old: Union[Digest, str],
        compression: _Compression,
        digest: Union[Digest, str],
        size: int,
        diff_id: Union[Digest, str],
    ) -> None: ...
    def finish(self) -> CacheWrite: ...

@final
class Merge:
    """Merges caches: add(cache, tag) each source, then finish(form)."""

    def __new__(cls) -> Self: ...
    def add(self, cache: Cache, tag: str) -> None: ...
    def finish(self, form: Optional[str] = None) -> CacheWrite: ...

@final
class CacheWrite:
    """A new config and manifest to write."""

    @property
    def config_bytes(self) -> bytes: ...
    @property
    def manifest_bytes(self) -> bytes: ...
    @property
    def descriptor(self) -> dict[str, Any]: ...
    @property
    def config_digest(self) -> str: ...
    @property
    def layers(self) -> list[str]: ...
